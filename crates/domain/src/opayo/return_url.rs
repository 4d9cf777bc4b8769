//! Finding the crypt in what a return brings: Opayo redirects the browser to SuccessURL or
//! FailureURL with `crypt=@…` added to the query, and a merchant replaying a result may paste
//! the whole URL or just the crypt.

use percent_encoding::percent_decode_str;
use thiserror::Error;

const PARAMETER: &str = "crypt";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReturnUrlError {
    #[error("no `crypt` parameter")]
    Missing,
    /// Two crypts in one return: which one is the result cannot be told.
    #[error("more than one `crypt` parameter")]
    Repeated,
}

/// The crypt of a bare `@…` crypt, a query string (`crypt=@…`, as the return route gets it)
/// or a whole return URL. The name is matched in any case: older Sage Pay kits wrote `Crypt`.
pub fn crypt_of_return(input: &str) -> Result<String, ReturnUrlError> {
    let input = input.trim();
    if input.starts_with('@') {
        return Ok(input.to_owned());
    }
    let query = input.split_once('?').map_or(input, |(_, query)| query);
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    let mut crypts = query.split('&').filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.eq_ignore_ascii_case(PARAMETER)
            .then(|| percent_decode_str(value).decode_utf8_lossy().into_owned())
    });
    let crypt = crypts.next().ok_or(ReturnUrlError::Missing)?;
    match crypts.next() {
        Some(_) => Err(ReturnUrlError::Repeated),
        None => Ok(crypt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_crypt_in_a_url_a_query_or_on_its_own() {
        for input in [
            "@ABCD",
            " @ABCD\n",
            "crypt=@ABCD",
            "crypt=%40ABCD",
            "Crypt=@ABCD",
            "https://shop.example/return/opayo?crypt=@ABCD",
            "https://shop.example/return/opayo?cart=1&crypt=%40ABCD#top",
        ] {
            assert_eq!(crypt_of_return(input).as_deref(), Ok("@ABCD"), "{input:?}");
        }
    }

    #[test]
    fn refuses_a_return_without_exactly_one_crypt() {
        assert_eq!(
            crypt_of_return("https://shop.example/return/opayo"),
            Err(ReturnUrlError::Missing)
        );
        assert_eq!(crypt_of_return("cryptx=@AB"), Err(ReturnUrlError::Missing));
        assert_eq!(
            crypt_of_return("crypt=@AB&crypt=@CD"),
            Err(ReturnUrlError::Repeated)
        );
    }
}
