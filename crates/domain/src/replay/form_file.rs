//! A callback's form data as an operator has it in a file: either the raw body on one line,
//! exactly as WorldPay posted it, or one `name=value` per line, as a person copies it out
//! of a mail or a log.

use encoding_rs::{Encoding, UTF_8};
use percent_encoding::{NON_ALPHANUMERIC, percent_encode};
use thiserror::Error;

use crate::callback::charset::{CharsetError, form_encoding};
use crate::callback::form::MAX_CALLBACK_BYTES;

/// A form body ready for the callback path, with the `Content-Type` to read it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackData {
    pub body: Vec<u8>,
    /// `None` keeps what a callback without a charset gets: the body's own `charenc`, else
    /// WorldPay's ISO-8859-1.
    pub content_type: Option<&'static str>,
}

/// Values typed as text are encoded as UTF-8 and say so, unless the data names its own
/// `charenc`.
const UTF8_FORM: &str = "application/x-www-form-urlencoded; charset=UTF-8";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormFileError {
    #[error("the form data is larger than {MAX_CALLBACK_BYTES} bytes")]
    TooLarge,
    #[error("the form data is empty")]
    Empty,
    #[error("the form data spans several lines but is not UTF-8 text")]
    NotUtf8,
    #[error("line {0} is not `name=value`")]
    NotNameValue(usize),
    #[error("line {line}: the value cannot be written in the data's charenc {charset}")]
    Unrepresentable { line: usize, charset: &'static str },
    #[error("the data's charenc: {0}")]
    Charset(#[from] CharsetError),
}

/// Reads a file's bytes. One line is a raw urlencoded body and is kept byte for byte, so it
/// goes through the same decoding (and gets the same fingerprint) as when it was posted;
/// several lines are `name=value` pairs in UTF-8.
pub fn read_form_file(bytes: &[u8]) -> Result<CallbackData, FormFileError> {
    if bytes.len() > MAX_CALLBACK_BYTES {
        return Err(FormFileError::TooLarge);
    }
    if bytes.trim_ascii().contains(&b'\n') {
        from_lines(std::str::from_utf8(bytes).map_err(|_| FormFileError::NotUtf8)?)
    } else {
        from_urlencoded(bytes)
    }
}

/// A raw body as it was posted.
pub(crate) fn from_urlencoded(body: &[u8]) -> Result<CallbackData, FormFileError> {
    let body = body.trim_ascii();
    if body.is_empty() {
        return Err(FormFileError::Empty);
    }
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(FormFileError::TooLarge);
    }
    Ok(CallbackData {
        body: body.to_vec(),
        content_type: None,
    })
}

/// `name=value` lines (blank lines skipped, the name trimmed, the value verbatim) encoded
/// into a form body in the charset the data declares.
pub(crate) fn from_lines(text: &str) -> Result<CallbackData, FormFileError> {
    let mut pairs: Vec<(usize, &str, &str)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let (name, value) = line
            .split_once('=')
            .map(|(name, value)| (name.trim(), value))
            .filter(|(name, _)| !name.is_empty())
            .ok_or(FormFileError::NotNameValue(number))?;
        pairs.push((number, name, value));
    }
    if pairs.is_empty() {
        return Err(FormFileError::Empty);
    }
    let charenc = pairs
        .iter()
        .find(|(_, name, _)| *name == "charenc")
        .map(|(_, _, value)| value.trim())
        .filter(|label| !label.is_empty());
    let (encoding, content_type) = match charenc {
        Some(label) => (form_encoding(label)?, None),
        None => (UTF_8, Some(UTF8_FORM)),
    };
    let mut body = String::new();
    for (number, name, value) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(&encode(name, encoding, number)?);
        body.push('=');
        body.push_str(&encode(value, encoding, number)?);
    }
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(FormFileError::TooLarge);
    }
    Ok(CallbackData {
        body: body.into_bytes(),
        content_type,
    })
}

fn encode(text: &str, encoding: &'static Encoding, line: usize) -> Result<String, FormFileError> {
    let (bytes, _, unmappable) = encoding.encode(text);
    if unmappable {
        return Err(FormFileError::Unrepresentable {
            line,
            charset: encoding.name(),
        });
    }
    Ok(percent_encode(&bytes, NON_ALPHANUMERIC).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::{Form, parse_form};

    fn form(data: &CallbackData) -> Form {
        parse_form(&data.body, data.content_type).unwrap()
    }

    #[test]
    fn a_raw_body_is_kept_byte_for_byte() {
        let raw = b"instId=38290&name=Zo%EB&transStatus=Y\r\n";
        let data = read_form_file(raw).unwrap();
        assert_eq!(data.body, b"instId=38290&name=Zo%EB&transStatus=Y");
        assert_eq!(data.content_type, None);
        assert_eq!(form(&data).get("name"), Some("Zoë"), "read as ISO-8859-1");
    }

    #[test]
    fn name_value_lines_become_the_same_fields() {
        let data = read_form_file(
            "instId=38290\r\n\r\nname = Zoë Müller\naddress=Test Road, Test Town\n\
             desc=Fish & Chips=2\namountString=&#163;14.99\nM_var1=\n"
                .as_bytes(),
        )
        .unwrap();
        let read = form(&data);
        assert_eq!(read.get("name"), Some(" Zoë Müller"));
        assert_eq!(read.get("desc"), Some("Fish & Chips=2"));
        assert_eq!(read.get("amountString"), Some("&#163;14.99"));
        assert_eq!(read.get("M_var1"), Some(""));
        assert_eq!(read.fields().count(), 6);
    }

    #[test]
    fn lines_are_encoded_in_the_charenc_they_declare() {
        let data = read_form_file("charenc=ISO-8859-1\nname=Zoë\n".as_bytes()).unwrap();
        assert_eq!(data.content_type, None);
        assert!(data.body.ends_with(b"name=Zo%EB"), "{:?}", data.body);
        assert_eq!(form(&data).get("name"), Some("Zoë"));
        assert_eq!(
            read_form_file("charenc=ISO-8859-1\nname=Zoë ☃\n".as_bytes()),
            Err(FormFileError::Unrepresentable {
                line: 2,
                charset: "windows-1252"
            })
        );
        assert_eq!(
            read_form_file(b"charenc=UTF-16\nname=x\n"),
            Err(FormFileError::Charset(CharsetError::NotAsciiCompatible(
                "UTF-16LE"
            )))
        );
    }

    #[test]
    fn refuses_what_is_not_form_data() {
        assert_eq!(read_form_file(b" \r\n "), Err(FormFileError::Empty));
        assert_eq!(
            read_form_file(b"instId=1\nTransaction ID: 5\n"),
            Err(FormFileError::NotNameValue(2))
        );
        assert_eq!(
            read_form_file(b"a=1\n=2\n"),
            Err(FormFileError::NotNameValue(2))
        );
        assert_eq!(
            read_form_file(b"a=1\nname=Zo\xEB\n"),
            Err(FormFileError::NotUtf8)
        );
        let big = vec![b'a'; MAX_CALLBACK_BYTES + 1];
        assert_eq!(read_form_file(&big), Err(FormFileError::TooLarge));
    }
}
