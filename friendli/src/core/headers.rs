//! What the caller gives for the wire, checked before anything is sent, and shown without its
//! secrets: base URLs, headers (the one list of the headers that frame a request), and the
//! `Authorization` header of a token.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::core::error::{Error, Result};

/// Headers for `Debug`: the values of sensitive ones replaced.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_sensitive_header(name.as_str()) {
                map.entry(&name.as_str(), &"<redacted>");
            } else {
                map.entry(&name.as_str(), &value);
            }
        }
        map.finish()
    }
}

/// Whether a header's value is a secret: credentials, cookies, and anything whose name says
/// token, secret, key, password or auth.
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key"
    ) || [
        "token",
        "secret",
        "key",
        "password",
        "auth",
        "session",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Headers that decide how a request is framed: never taken from configuration.
const FRAMING: [&str; 5] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "upgrade",
];

/// The header carrying the team id.
pub(crate) const TEAM_HEADER: HeaderName = HeaderName::from_static("x-friendli-team");

/// `Authorization: Bearer <token>`, marked sensitive. The error never contains the token;
/// `what` names it (`API token`, `container token`).
pub(crate) fn auth_header(token: &str, what: &str) -> Result<HeaderValue> {
    let token = token.trim();
    // A token given with its scheme is sent as is (as FriendliAI's SDKs do).
    let (scheme, credential) = match token.get(..6) {
        Some(prefix)
            if prefix.eq_ignore_ascii_case("bearer") && token[6..].starts_with([' ', '\t']) =>
        {
            (&token[..6], token[6..].trim_start())
        }
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer") && token.len() == 6 => (prefix, ""),
        _ => ("Bearer", token),
    };
    if credential.is_empty() {
        return Err(Error::invalid_config(format!("the {what} is empty")));
    }
    let value = format!("{scheme} {credential}");
    let mut header = HeaderValue::from_str(&value).map_err(|_| {
        Error::invalid_config(format!("the {what} contains characters that cannot be sent in a header (the token is not shown)"))
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// A URL as it may be shown: credentials replaced by `***`, the query dropped.
pub(crate) fn redact_url(text: &str) -> String {
    match reqwest::Url::parse(text.trim()) {
        Ok(mut url) => {
            if !url.username().is_empty() || url.password().is_some() {
                let _ = url.set_username("***");
                let _ = url.set_password(None);
            }
            if url.query().is_some() {
                url.set_query(Some("…"));
            }
            url.to_string()
        }
        // Not a URL: show nothing that could be a credential.
        Err(_) => match text.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => text.to_owned(),
        },
    }
}

/// Validates a base URL and returns it without a trailing slash. Errors never repeat
/// credentials found in the URL.
pub(crate) fn parse_base_url(text: &str) -> Result<String> {
    let shown = redact_url(text);
    let bad = |why: &str| Error::invalid_config(format!("the base URL {shown:?} {why}"));
    let url =
        reqwest::Url::parse(text.trim()).map_err(|e| bad(&format!("is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not contain credentials; use ClientBuilder::token",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Validates one header set by the caller (on the client or on a call). A header that decides
/// how the request is framed is refused; values of sensitive headers are marked sensitive.
pub(crate) fn header_pair(
    name: &str,
    value: &str,
) -> std::result::Result<(HeaderName, HeaderValue), String> {
    if FRAMING.contains(&name.trim().to_ascii_lowercase().as_str()) {
        return Err(format!(
            "the header {name:?} decides how the request is framed"
        ));
    }
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid header name"))?;
    let mut header_value = HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header {name:?} is not a valid header value"))?;
    if is_sensitive_header(header_name.as_str()) {
        header_value.set_sensitive(true);
    }
    Ok((header_name, header_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_validated_and_normalised() {
        assert_eq!(
            parse_base_url("https://api.friendli.ai").unwrap(),
            "https://api.friendli.ai"
        );
        assert_eq!(
            parse_base_url("https://api.friendli.ai/").unwrap(),
            "https://api.friendli.ai"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080/proxy/").unwrap(),
            "http://127.0.0.1:8080/proxy"
        );
        for bad in [
            "api.friendli.ai",
            "ftp://x",
            "https://",
            "https://x/?a=1",
            "https://x/#f",
            "https://u:p@x",
            "not a url",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidConfig(_)), "{bad}");
            assert!(err.to_string().contains("base URL"), "{err}");
        }
    }

    #[test]
    fn credentials_in_a_url_are_never_repeated() {
        for bad in [
            "https://user:hunter2@api.friendli.ai",
            "https://user:hunter2@api.friendli.ai/?q=1",
            "ftp://user:hunter2@x",
        ] {
            let err = parse_base_url(bad).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(!err.contains("user:"), "{err}");
        }
    }

    fn auth_header_of(token: &str) -> Result<HeaderValue> {
        auth_header(token, "API token")
    }

    #[test]
    fn tokens_become_sensitive_bearer_headers() {
        let header = auth_header_of("flp_abc").unwrap();
        assert_eq!(header, "Bearer flp_abc");
        assert!(header.is_sensitive());
        assert_eq!(auth_header_of("bearer flp_abc").unwrap(), "bearer flp_abc");
        assert_eq!(
            auth_header_of("Bearer   flp_abc ").unwrap(),
            "Bearer flp_abc"
        );
        assert!(auth_header_of("Bearer").is_err());
        assert!(auth_header_of(" bearer  ").is_err());
        assert_eq!(auth_header_of("bearerish").unwrap(), "Bearer bearerish");
        let err = auth_header_of("flp_\nsecret").unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
        assert!(auth_header_of("  ").is_err());
    }
}
