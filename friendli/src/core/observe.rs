//! Seeing what the SDK does: the metadata of every result, rate limits, spans and hooks.

pub use crate::core::hooks::{
    AfterAttempt, AttemptOutcome, AttemptRequest, BeforeAttempt, Hook, HookFuture, after_attempt,
    before_attempt,
};
pub use crate::core::ratelimit::{Quota, RateLimit};
pub use crate::core::response::ResponseMeta;
