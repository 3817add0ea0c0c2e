//! The built-in tools the mock can really run: arithmetic, statistics and calendar questions.
//!
//! The arithmetic evaluator is written here rather than taken from a crate: the maintained one
//! (`evalexpr`) evaluates `7 / 2` as integer division (3) unless every literal is rewritten as a
//! float, and reports division by zero differently per numeric type; the calculator must answer
//! like the real `math:calculator` (7 / 2 = 3.5) and fail on division by zero.

use std::fmt;

/// A failure of a tool run, reported in an `ERRORED` tool status event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFailure {
    /// The kind of failure, e.g. `ZeroDivisionError`.
    pub kind: String,
    /// What went wrong.
    pub message: String,
}

impl ToolFailure {
    fn new(kind: &str, message: impl Into<String>) -> Self {
        ToolFailure {
            kind: kind.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ToolFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

// ------------------------------------------------------------------------------------------------
// Arithmetic
// ------------------------------------------------------------------------------------------------

/// Finds the longest arithmetic expression in `text`: numbers joined by `+ - * / % ^` and
/// parentheses, with at least one operator. `3 + 6` in "What is 3 + 6?".
pub fn find_expression(text: &str) -> Option<String> {
    // Dates (`2026-12-25`) are not subtractions.
    let text = &without_dates(text);
    let is_expr_char = |c: char| c.is_ascii_digit() || " .+-*/%^()×÷".contains(c);
    let mut best: Option<String> = None;
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if is_expr_char(c) {
            current.push(c);
            continue;
        }
        let candidate = current
            .trim()
            .trim_end_matches(['.', ' '])
            .trim_start_matches([')', ' '])
            .to_owned();
        current.clear();
        let has_digit = candidate.chars().any(|c| c.is_ascii_digit());
        let has_operator = candidate.chars().skip(1).any(|c| "+-*/%^×÷".contains(c));
        if has_digit && has_operator && best.as_ref().is_none_or(|b| candidate.len() > b.len()) {
            best = Some(candidate);
        }
    }
    best
}

/// Evaluates an arithmetic expression with `+ - * / %` (left-associative), `^` (right-associative,
/// binds tighter), unary minus and parentheses, in `f64`.
pub fn evaluate(expression: &str) -> Result<f64, ToolFailure> {
    let tokens = tokenize(expression)?;
    let mut parser = Parser { tokens, pos: 0 };
    let value = parser.expression()?;
    if parser.pos != parser.tokens.len() {
        return Err(ToolFailure::new(
            "SyntaxError",
            format!("unexpected input at token {}", parser.pos + 1),
        ));
    }
    if !value.is_finite() {
        return Err(ToolFailure::new("OverflowError", "the result is too large"));
    }
    Ok(value)
}

/// Formats a result the way the calculator reports it: integers without a fraction.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.10}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Number(f64),
    Op(char),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ToolFailure> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' => i += 1,
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let literal: String = chars[start..i].iter().collect();
                let value = literal.parse().map_err(|_| {
                    ToolFailure::new("SyntaxError", format!("{literal:?} is not a number"))
                })?;
                tokens.push(Token::Number(value));
            }
            '+' | '-' | '*' | '/' | '%' | '^' => {
                tokens.push(Token::Op(c));
                i += 1;
            }
            '×' => {
                tokens.push(Token::Op('*'));
                i += 1;
            }
            '÷' => {
                tokens.push(Token::Op('/'));
                i += 1;
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            other => {
                return Err(ToolFailure::new(
                    "SyntaxError",
                    format!("unexpected character {other:?}"),
                ));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn expression(&mut self) -> Result<f64, ToolFailure> {
        let mut value = self.term()?;
        while let Some(Token::Op(op @ ('+' | '-'))) = self.peek() {
            self.pos += 1;
            let rhs = self.term()?;
            value = if op == '+' { value + rhs } else { value - rhs };
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<f64, ToolFailure> {
        let mut value = self.power()?;
        while let Some(Token::Op(op @ ('*' | '/' | '%'))) = self.peek() {
            self.pos += 1;
            let rhs = self.power()?;
            if (op == '/' || op == '%') && rhs == 0.0 {
                return Err(ToolFailure::new("ZeroDivisionError", "division by zero"));
            }
            value = match op {
                '*' => value * rhs,
                '/' => value / rhs,
                _ => value.rem_euclid(rhs),
            };
        }
        Ok(value)
    }

    fn power(&mut self) -> Result<f64, ToolFailure> {
        let base = self.unary()?;
        if let Some(Token::Op('^')) = self.peek() {
            self.pos += 1;
            let exponent = self.power()?;
            return Ok(base.powf(exponent));
        }
        Ok(base)
    }

    fn unary(&mut self) -> Result<f64, ToolFailure> {
        match self.peek() {
            Some(Token::Op('-')) => {
                self.pos += 1;
                Ok(-self.unary()?)
            }
            Some(Token::Op('+')) => {
                self.pos += 1;
                self.unary()
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<f64, ToolFailure> {
        match self.peek() {
            Some(Token::Number(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Token::Open) => {
                self.pos += 1;
                let value = self.expression()?;
                if self.peek() != Some(Token::Close) {
                    return Err(ToolFailure::new(
                        "SyntaxError",
                        "a parenthesis is not closed",
                    ));
                }
                self.pos += 1;
                Ok(value)
            }
            Some(other) => Err(ToolFailure::new(
                "SyntaxError",
                format!("unexpected {other:?}"),
            )),
            None => Err(ToolFailure::new(
                "SyntaxError",
                "the expression ends too early",
            )),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Statistics
// ------------------------------------------------------------------------------------------------

/// A statistic the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Arithmetic mean.
    Mean,
    /// Median.
    Median,
    /// Sum.
    Sum,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// Population standard deviation.
    StdDev,
}

impl Statistic {
    /// The name used in answers.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::Median => "median",
            Statistic::Sum => "sum",
            Statistic::Min => "minimum",
            Statistic::Max => "maximum",
            Statistic::StdDev => "standard deviation",
        }
    }
}

/// The statistic named in `text`, if any.
pub fn find_statistic(text: &str) -> Option<Statistic> {
    let lower = text.to_lowercase();
    [
        ("standard deviation", Statistic::StdDev),
        ("stdev", Statistic::StdDev),
        ("median", Statistic::Median),
        ("average", Statistic::Mean),
        ("mean", Statistic::Mean),
        ("sum", Statistic::Sum),
        ("minimum", Statistic::Min),
        ("maximum", Statistic::Max),
    ]
    .into_iter()
    .find(|(word, _)| lower.contains(word))
    .map(|(_, statistic)| statistic)
}

/// `text` with its `YYYY-MM-DD` dates blanked out.
fn without_dates(text: &str) -> String {
    let mut out = text.to_owned();
    for date in find_dates(text) {
        out = out.replace(&date.to_string(), " ");
    }
    out
}

/// Every number in `text`, dates excepted.
pub fn find_numbers(text: &str) -> Vec<f64> {
    let text = &without_dates(text);
    let mut numbers = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit()
            || (c == '.' && !current.is_empty())
            || (c == '-' && current.is_empty())
        {
            current.push(c);
        } else {
            if let Ok(n) = current.trim_end_matches('.').parse::<f64>() {
                numbers.push(n);
            }
            current.clear();
        }
    }
    numbers
}

/// Computes a statistic.
pub fn statistic(kind: Statistic, values: &[f64]) -> Result<f64, ToolFailure> {
    if values.is_empty() {
        return Err(ToolFailure::new(
            "ValueError",
            "no numbers to compute a statistic of",
        ));
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    Ok(match kind {
        Statistic::Mean => mean,
        Statistic::Sum => values.iter().sum(),
        Statistic::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        Statistic::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Statistic::Median => {
            let mut sorted = values.to_vec();
            sorted.sort_by(f64::total_cmp);
            let mid = sorted.len() / 2;
            if sorted.len().is_multiple_of(2) {
                (sorted[mid - 1] + sorted[mid]) / 2.0
            } else {
                sorted[mid]
            }
        }
        Statistic::StdDev => (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt(),
    })
}

// ------------------------------------------------------------------------------------------------
// Calendar
// ------------------------------------------------------------------------------------------------

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day, 1–31.
    pub day: u32,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        if parts.next().is_some()
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }

    /// The day of the week.
    pub fn weekday(self) -> &'static str {
        const NAMES: [&str; 7] = [
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
        ];
        NAMES[self.to_days().rem_euclid(7) as usize]
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Every `YYYY-MM-DD` date in `text`.
pub fn find_dates(text: &str) -> Vec<Date> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter(|word| word.len() == 10)
        .filter_map(Date::parse)
        .collect()
}

/// Answers a calendar question about the dates in `text`: the days between two dates, a date
/// plus or minus a number of days, or the weekday of one date. Returns the expression the tool
/// was called with and the answer.
pub fn calendar(text: &str) -> Result<(String, String), ToolFailure> {
    let dates = find_dates(text);
    let lower = text.to_lowercase();
    match dates.as_slice() {
        [a, b, ..] => {
            let days = b.to_days() - a.to_days();
            Ok((format!("days between {a} and {b}"), format!("{days} days")))
        }
        [date] => {
            let offset = find_numbers(&text.replace(&date.to_string(), " "))
                .into_iter()
                .find(|n| n.fract() == 0.0)
                .map(|n| n as i64);
            match offset {
                Some(n)
                    if lower.contains("after")
                        || lower.contains("before")
                        || lower.contains("later") =>
                {
                    let signed = if lower.contains("before") { -n } else { n };
                    let result = Date::from_days(date.to_days() + signed);
                    Ok((
                        format!("{date} {signed:+} days"),
                        format!("{result} ({})", result.weekday()),
                    ))
                }
                _ => Ok((format!("weekday of {date}"), date.weekday().to_owned())),
            }
        }
        [] => Err(ToolFailure::new("ValueError", "no date in YYYY-MM-DD form")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_evaluates_expressions() {
        assert_eq!(find_expression("What is 3 + 6?").as_deref(), Some("3 + 6"));
        assert_eq!(
            find_expression("Compute (2 + 3) * 4 please.").as_deref(),
            Some("(2 + 3) * 4")
        );
        assert_eq!(
            find_expression("150 * 1.60934 km"),
            Some("150 * 1.60934".to_owned())
        );
        assert_eq!(find_expression("no math here, just 42"), None);
        assert_eq!(find_expression("What day is 2026-12-25?"), None);
        assert_eq!(find_numbers("mean of 3 and 5 on 2026-12-25"), [3.0, 5.0]);
        let cases = [
            ("3 + 6", 9.0),
            ("7 / 2", 3.5),
            ("2 + 3 * 4", 14.0),
            ("(2 + 3) * 4", 20.0),
            ("2 ^ 3 ^ 2", 512.0),
            ("-3 + 10 % 4", -1.0),
            ("9400000 * 0.15", 1_410_000.0),
            ("6 × 7 ÷ 2", 21.0),
        ];
        for (expression, expected) in cases {
            assert!(
                (evaluate(expression).unwrap() - expected).abs() < 1e-9,
                "{expression}"
            );
        }
        assert_eq!(evaluate("1 / 0").unwrap_err().kind, "ZeroDivisionError");
        assert_eq!(evaluate("(1 + 2").unwrap_err().kind, "SyntaxError");
        assert_eq!(evaluate("1 +").unwrap_err().kind, "SyntaxError");
        assert_eq!(format_number(9.0), "9");
        assert_eq!(format_number(3.5), "3.5");
        assert_eq!(format_number(1.0 / 3.0), "0.3333333333");
    }

    #[test]
    fn computes_statistics() {
        let values = find_numbers("the mean of 2, 4, 4, 4, 5, 5, 7 and 9");
        assert_eq!(values, [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(statistic(Statistic::Mean, &values).unwrap(), 5.0);
        assert_eq!(statistic(Statistic::StdDev, &values).unwrap(), 2.0);
        assert_eq!(statistic(Statistic::Median, &values).unwrap(), 4.5);
        assert_eq!(statistic(Statistic::Sum, &values).unwrap(), 40.0);
        assert_eq!(
            find_statistic("What is the standard deviation?"),
            Some(Statistic::StdDev)
        );
        assert!(statistic(Statistic::Mean, &[]).is_err());
    }

    #[test]
    fn answers_calendar_questions() {
        assert_eq!(Date::parse("2024-02-29").unwrap().weekday(), "Thursday");
        assert_eq!(Date::parse("1970-01-01").unwrap().to_days(), 0);
        assert!(Date::parse("2023-02-29").is_none());
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(
            calendar("What day of the week is 2026-11-22?").unwrap().1,
            "Sunday"
        );
        assert_eq!(
            calendar("How many days from 2024-01-01 to 2024-12-25?")
                .unwrap()
                .1,
            "359 days"
        );
        assert_eq!(
            calendar("What date is 100 days after 2024-01-01?")
                .unwrap()
                .1,
            "2024-04-10 (Wednesday)"
        );
        assert!(calendar("When is Easter?").is_err());
    }
}
