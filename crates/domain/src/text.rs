//! Text that arrives from outside and must be one bounded line: identifiers, token fields.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("is required")]
    Missing,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("contains control characters")]
    ControlCharacters,
}

/// `value` as it is, if it is not empty, at most `max_len` characters and has no control
/// characters (so no line breaks). Callers that ignore surrounding blanks trim first.
pub fn one_line(value: &str, max_len: usize) -> Result<String, TextError> {
    if value.is_empty() {
        return Err(TextError::Missing);
    }
    if value.chars().count() > max_len {
        return Err(TextError::TooLong(max_len));
    }
    if value.chars().any(char::is_control) {
        return Err(TextError::ControlCharacters);
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_is_bounded_and_kept_as_given() {
        assert_eq!(one_line(" x ", 5).unwrap(), " x ");
        assert_eq!(one_line("", 5), Err(TextError::Missing));
        assert_eq!(one_line("abcdef", 5), Err(TextError::TooLong(5)));
        assert_eq!(one_line("ééééé", 5).unwrap(), "ééééé");
        assert_eq!(one_line("a\nb", 5), Err(TextError::ControlCharacters));
    }
}
