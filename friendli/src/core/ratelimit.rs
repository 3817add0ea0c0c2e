//! Rate-limit headers, read into a typed value: [`RateLimit`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The rate limits a response announced in its headers. Reach it with `rate_limit()` on a
/// result ([`ResponseMeta::rate_limit`](crate::observe::ResponseMeta::rate_limit)), a stream, an
/// error ([`Error::rate_limit`](crate::Error::rate_limit)) or an attempt seen by a hook.
///
/// The Friendli API does not document rate-limit headers, and may not send any: every field here
/// is optional, and [`RateLimit::from_headers`] gives `None` when a response has none of them.
/// When a server (the API, a gateway in front of it, a proxy before a self-hosted container)
/// does send them, these forms are read:
///
/// - `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, the form of OpenAI-compatible
///   APIs, into [`requests`](Self::requests) and [`tokens`](Self::tokens). A reset is a duration
///   such as `1s`, `6m0s`, `250ms` or `0.5` (seconds);
/// - `x-ratelimit-{limit,remaining,reset}` without a unit, into [`general`](Self::general). A
///   reset larger than 10⁹ is taken as a Unix time (as some gateways send it) and turned into
///   the time left;
/// - the IETF draft's `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (drafts up
///   to -06), and its later structured fields `RateLimit: "name";r=50;t=30` and
///   `RateLimit-Policy: "name";q=100;w=60` (the first policy listed), into
///   [`general`](Self::general).
///
/// A header whose value does not parse is ignored, as if it were absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// The limit on requests (`x-ratelimit-*-requests`).
    pub requests: Option<Quota>,
    /// The limit on tokens (`x-ratelimit-*-tokens`).
    pub tokens: Option<Quota>,
    /// A limit whose headers do not say what it counts (`x-ratelimit-limit`, the IETF draft's
    /// `RateLimit-*` and `RateLimit`/`RateLimit-Policy`).
    pub general: Option<Quota>,
}

/// One announced limit: each part only when the server sent it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quota {
    /// How many are allowed in the window.
    pub limit: Option<u64>,
    /// How many are left in the current window.
    pub remaining: Option<u64>,
    /// How long until the window resets (from when the response was read).
    pub reset: Option<Duration>,
    /// The length of the window (`w=` of the draft's `RateLimit-Policy`).
    pub window: Option<Duration>,
}

impl Quota {
    /// Whether the server said nothing is left (`remaining` is 0).
    pub fn is_exhausted(&self) -> bool {
        self.remaining == Some(0)
    }

    fn is_empty(&self) -> bool {
        *self == Quota::default()
    }

    fn non_empty(self) -> Option<Quota> {
        (!self.is_empty()).then_some(self)
    }
}

impl RateLimit {
    /// The rate limits announced by `headers`, or `None` when they announce none.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let suffixed = |unit: &str| Quota {
            limit: text(&format!("x-ratelimit-limit-{unit}")).and_then(leading_integer),
            remaining: text(&format!("x-ratelimit-remaining-{unit}")).and_then(leading_integer),
            reset: text(&format!("x-ratelimit-reset-{unit}")).and_then(parse_duration),
            window: None,
        };
        let mut general = Quota {
            limit: text("x-ratelimit-limit")
                .or_else(|| text("ratelimit-limit"))
                .and_then(leading_integer),
            remaining: text("x-ratelimit-remaining")
                .or_else(|| text("ratelimit-remaining"))
                .and_then(leading_integer),
            reset: text("x-ratelimit-reset")
                .and_then(reset_or_unix_time)
                .or_else(|| text("ratelimit-reset").and_then(parse_duration)),
            window: None,
        };
        // The draft's structured fields: `RateLimit: "default";r=50;t=30`,
        // `RateLimit-Policy: "default";q=100;w=60`.
        if let Some(value) = text("ratelimit") {
            let parameters = first_item_parameters(value);
            general.remaining = general
                .remaining
                .or_else(|| parameter(&parameters, "r").and_then(leading_integer));
            general.reset = general.reset.or_else(|| {
                parameter(&parameters, "t")
                    .and_then(leading_integer)
                    .map(Duration::from_secs)
            });
        }
        if let Some(value) = text("ratelimit-policy") {
            let parameters = first_item_parameters(value);
            general.limit = general
                .limit
                .or_else(|| parameter(&parameters, "q").and_then(leading_integer));
            general.window = parameter(&parameters, "w")
                .and_then(leading_integer)
                .map(Duration::from_secs);
        }
        let limits = RateLimit {
            requests: suffixed("requests").non_empty(),
            tokens: suffixed("tokens").non_empty(),
            general: general.non_empty(),
        };
        (limits != RateLimit::default()).then_some(limits)
    }
}

/// The integer a value starts with (`100`, or `100, 100;w=60` of the early drafts).
fn leading_integer(text: &str) -> Option<u64> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// A reset given as a duration, or (above 10⁹) as a Unix time.
fn reset_or_unix_time(text: &str) -> Option<Duration> {
    match text.parse::<u64>() {
        Ok(seconds) if seconds > 1_000_000_000 => {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
            Some(Duration::from_secs(seconds).saturating_sub(now))
        }
        _ => parse_duration(text),
    }
}

/// A duration: plain seconds (`30`, `0.5`), or numbers with units (`1h2m3s`, `6m0s`, `250ms`,
/// `1.5s`, `10us`, `5ns`).
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += Duration::try_from_secs_f64(number * seconds_per_unit).ok()?;
    }
    Some(total)
}

/// The parameters of the first item of a structured-field list: `"default";r=50;t=30, …` gives
/// `[("r", "50"), ("t", "30")]`.
fn first_item_parameters(value: &str) -> Vec<(&str, &str)> {
    let first = value.split(',').next().unwrap_or_default();
    first
        .split(';')
        .skip(1)
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            Some((key.trim(), value.trim()))
        })
        .collect()
}

fn parameter<'a>(parameters: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    parameters
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, value)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn no_rate_limit_headers_is_none() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let only_junk = headers(&[("x-ratelimit-remaining-requests", "many")]);
        assert_eq!(RateLimit::from_headers(&only_junk), None);
    }

    #[test]
    fn openai_style_headers_give_requests_and_tokens() {
        let limits = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit-requests", "60"),
            ("x-ratelimit-remaining-requests", "59"),
            ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-limit-tokens", "150000"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "6m0.5s"),
        ]))
        .unwrap();
        let requests = limits.requests.unwrap();
        assert_eq!(requests.limit, Some(60));
        assert_eq!(requests.remaining, Some(59));
        assert_eq!(requests.reset, Some(Duration::from_secs(1)));
        let tokens = limits.tokens.unwrap();
        assert!(tokens.is_exhausted());
        assert_eq!(tokens.reset, Some(Duration::from_millis(360_500)));
        assert_eq!(limits.general, None);
    }

    #[test]
    fn draft_headers_give_the_general_limit() {
        let early = RateLimit::from_headers(&headers(&[
            ("ratelimit-limit", "100, 100;w=60"),
            ("ratelimit-remaining", "40"),
            ("ratelimit-reset", "30"),
        ]))
        .unwrap();
        let general = early.general.unwrap();
        assert_eq!(
            (general.limit, general.remaining, general.reset),
            (Some(100), Some(40), Some(Duration::from_secs(30)))
        );

        let structured = RateLimit::from_headers(&headers(&[
            ("ratelimit", "\"default\";r=50;t=12, \"daily\";r=900;t=3600"),
            ("ratelimit-policy", "\"default\";q=100;w=60"),
        ]))
        .unwrap();
        let general = structured.general.unwrap();
        assert_eq!(general.limit, Some(100));
        assert_eq!(general.remaining, Some(50));
        assert_eq!(general.reset, Some(Duration::from_secs(12)));
        assert_eq!(general.window, Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_unix_time_reset_becomes_the_time_left() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let limits = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-reset", &(now + 120).to_string()),
        ]))
        .unwrap();
        let reset = limits.general.unwrap().reset.unwrap();
        assert!(reset <= Duration::from_secs(120) && reset >= Duration::from_secs(60));
    }

    #[test]
    fn durations_parse_in_their_usual_forms() {
        for (text, expected) in [
            ("1s", Duration::from_secs(1)),
            ("0.5", Duration::from_millis(500)),
            ("250ms", Duration::from_millis(250)),
            ("1h2m3s", Duration::from_secs(3723)),
            ("10us", Duration::from_micros(10)),
        ] {
            assert_eq!(parse_duration(text), Some(expected), "{text}");
        }
        for bad in ["", "soon", "5 parsecs", "-1"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
