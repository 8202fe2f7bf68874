//! How many of the feedparser test corpus's expectations our parser meets.
//!
//! Input: a directory laid out like Python feedparser's test suite (`wellformed/`, `illformed/`,
//! `encoding/`, `entities/`, `json/`), each document opening with a comment whose
//! `Expect:` line is a Python expression over feedparser's result. Output: a
//! [`FeedEvalReport`] with, per top-level folder, how many expectations we could translate into
//! checks on [`crate::parse`]'s output and how many of those pass.
//!
//! The expressions are read by a tiny evaluator that knows the common shapes (`and`/`or`/`not`,
//! `==`, `!=`, `in`, `is`, string and number literals, `bozo`, `feed['title']`,
//! `entries[N]['link']`, `len(entries)`, dates as 9-tuples …). An expression naming anything
//! else (feedparser's own conventions: `encoding`, `headers`, `feed['tagline']`, `*_detail`
//! fields other than `value` …) is *untranslatable* and never counted as a pass.
//!
//! Mapping onto [`ParsedFeed`]/[`Entry`]:
//! - `bozo`: the parser returned an error. A document we recovered is not bozo (we have no
//!   "recovered with complaints" state), so feedparser's `bozo` expectations on recoverable
//!   documents fail.
//! - `feed['title'|'link']`; `entries[N]['title'|'link'|'id'|'guid'|'author'|'category']`;
//!   `…['title_detail']['value']` is the title. Our titles are one line of text by contract,
//!   feedparser's HTML titles are HTML: a title matches an expected string equal to it or
//!   whose text (tags dropped, entities decoded) is it.
//! - `summary`/`description` are [`Entry::summary_html`], or [`Entry::content_html`] when there
//!   is no summary (feedparser copies content into a missing summary); `content[0]['value']`
//!   is [`Entry::content_html`]. Both match an expected string equal to ours, or whose
//!   plain-text rendering (`<p>` per paragraph, escaped) is ours: feedparser gives Atom
//!   `type="text"` as text, we give it as HTML. This crate does not sanitize (that is
//!   `normalize`); feedparser's values are sanitized, so [`evaluate_corpus_with`] takes the
//!   sanitizer and also compares ours as it would be stored.
//! - `published_parsed`/`updated_parsed` compare year … second in UTC; `updated` falls back to
//!   `published` as feedparser's does.
//! - `tags[N]['term']` are the categories; `enclosures[0]['href']` is the lead image, the only
//!   enclosure our API exposes.
//! - `version` matches our [`FeedKind`] (`'atom10'` is `Atom`, `'rss091u'` is `Rss0` …).
//!
//! Documents are parsed as raw bytes with the base URL feedparser's own suite served them
//! from (`http://127.0.0.1:8097/<folder>/<file>`); HTTP headers a document names are ignored.
//! This module never writes anything and never panics on a corpus file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use masthead_model::OffsetTime;
use url::Url;

use crate::text::{one_line, text_to_html};
use crate::{Entry, FeedError, FeedKind, ParsedFeed};

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Translated, and our output does not meet it; the reason names what differed.
    Fail(String),
    /// The expression names something our evaluator or our API does not have.
    Untranslatable(String),
}

/// One corpus document and what became of its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// Relative to the corpus directory, `/`-separated.
    pub path: String,
    pub expect: String,
    pub verdict: Verdict,
}

/// Figures for one top-level folder of the corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderReport {
    pub folder: String,
    /// Documents with an `Expect:` line.
    pub cases: usize,
    pub translated: usize,
    pub passed: usize,
    pub failed: usize,
    pub untranslatable: usize,
    /// Why expressions were untranslatable (`feed['tagline']`, `encoding` …) and how often.
    pub untranslatable_reasons: BTreeMap<String, usize>,
}

impl FolderReport {
    fn add(&mut self, verdict: &Verdict) {
        self.cases += 1;
        match verdict {
            Verdict::Pass => {
                self.translated += 1;
                self.passed += 1;
            }
            Verdict::Fail(_) => {
                self.translated += 1;
                self.failed += 1;
            }
            Verdict::Untranslatable(reason) => {
                self.untranslatable += 1;
                *self
                    .untranslatable_reasons
                    .entry(reason.clone())
                    .or_default() += 1;
            }
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvalReport {
    /// Sorted by folder name.
    pub folders: Vec<FolderReport>,
    /// Every case, in path order, for listing failures.
    pub cases: Vec<CaseResult>,
    /// Documents parsed (including any without an expectation).
    pub documents: usize,
    /// Documents on which the underlying XML parser panicked (caught by [`crate::parse`]).
    pub parser_panics: usize,
    /// Time spent in [`crate::parse`] alone (reading files and evaluating are not counted).
    pub parse_time: Duration,
}

impl FeedEvalReport {
    /// All folders added up.
    pub fn overall(&self) -> FolderReport {
        let mut total = FolderReport {
            folder: "overall".to_owned(),
            ..FolderReport::default()
        };
        for f in &self.folders {
            total.cases += f.cases;
            total.translated += f.translated;
            total.passed += f.passed;
            total.failed += f.failed;
            total.untranslatable += f.untranslatable;
            for (reason, n) in &f.untranslatable_reasons {
                *total
                    .untranslatable_reasons
                    .entry(reason.clone())
                    .or_default() += n;
            }
        }
        total
    }

    pub fn documents_per_second(&self) -> f64 {
        let secs = self.parse_time.as_secs_f64();
        if secs > 0.0 {
            self.documents as f64 / secs
        } else {
            0.0
        }
    }
}

impl fmt::Display for FeedEvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>6} {:>10} {:>7} {:>7} {:>14} {:>8}",
            "folder", "cases", "translated", "passed", "failed", "untranslatable", "pass %"
        )?;
        let overall = self.overall();
        for row in self.folders.iter().chain(std::iter::once(&overall)) {
            let pct = if row.translated > 0 {
                format!("{:.1}", 100.0 * row.passed as f64 / row.translated as f64)
            } else {
                "-".to_owned()
            };
            writeln!(
                f,
                "{:<12} {:>6} {:>10} {:>7} {:>7} {:>14} {:>8}",
                row.folder,
                row.cases,
                row.translated,
                row.passed,
                row.failed,
                row.untranslatable,
                pct
            )?;
        }
        writeln!(f, "(pass % is of translated cases)")?;
        writeln!(
            f,
            "{} documents parsed in {:.3} s: {:.0} documents/second",
            self.documents,
            self.parse_time.as_secs_f64(),
            self.documents_per_second()
        )?;
        if self.parser_panics > 0 {
            writeln!(
                f,
                "the XML parser panicked (caught) on {} documents",
                self.parser_panics
            )?;
        }
        for row in &self.folders {
            if row.untranslatable_reasons.is_empty() {
                continue;
            }
            let mut reasons: Vec<(&String, &usize)> = row.untranslatable_reasons.iter().collect();
            reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = reasons
                .iter()
                .take(6)
                .map(|(reason, n)| format!("{reason} ×{n}"))
                .collect();
            writeln!(f, "untranslatable in {}: {}", row.folder, shown.join(", "))?;
        }
        Ok(())
    }
}

/// Where feedparser's own test suite serves the corpus; expectations about resolved links
/// name it.
const CORPUS_BASE: &str = "http://127.0.0.1:8097/";

/// The HTML sanitizer stored HTML goes through (`masthead_normalize::sanitize`); this crate
/// does not sanitize, so the caller lends it.
pub type Sanitizer<'a> = &'a dyn Fn(&str) -> String;

/// Parses every `.xml` and `.json` document under `dir` and checks its `Expect:` line.
pub fn evaluate_corpus(dir: &Path) -> Result<FeedEvalReport, FeedError> {
    evaluate_corpus_with(dir, None)
}

/// [`evaluate_corpus`], where a summary or content also matches feedparser's (sanitized)
/// value once passed through `sanitizer`.
pub fn evaluate_corpus_with(
    dir: &Path,
    sanitizer: Option<Sanitizer<'_>>,
) -> Result<FeedEvalReport, FeedError> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();

    let mut folders: BTreeMap<String, FolderReport> = BTreeMap::new();
    let mut cases = Vec::new();
    let mut documents = 0;
    let mut parser_panics = 0;
    let mut parse_time = Duration::ZERO;
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| corpus_error(&file, &e))?;
        let relative = file.strip_prefix(dir).unwrap_or(&file);
        let path = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let folder = path.split('/').next().unwrap_or_default().to_owned();
        let base = Url::parse(CORPUS_BASE)
            .and_then(|b| b.join(&path))
            .map_err(|e| corpus_error(&file, &e))?;

        let started = Instant::now();
        let parsed = crate::parse(&bytes, Some(&base));
        parse_time += started.elapsed();
        documents += 1;
        if matches!(&parsed, Err(FeedError::Parse { cause, .. }) if cause == crate::PANICKED) {
            parser_panics += 1;
        }

        let Some(expect) = expectation(&bytes) else {
            continue;
        };
        let verdict = check_with(&expect, &parsed, sanitizer);
        folders
            .entry(folder.clone())
            .or_insert_with(|| FolderReport {
                folder,
                ..FolderReport::default()
            })
            .add(&verdict);
        cases.push(CaseResult {
            path,
            expect,
            verdict,
        });
    }
    Ok(FeedEvalReport {
        folders: folders.into_values().collect(),
        cases,
        documents,
        parser_panics,
        parse_time,
    })
}

fn corpus_error(path: &Path, cause: &dyn fmt::Display) -> FeedError {
    FeedError::Corpus {
        path: path.display().to_string(),
        cause: cause.to_string(),
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FeedError> {
    let entries = std::fs::read_dir(dir).map_err(|e| corpus_error(dir, &e))?;
    for entry in entries {
        let path = entry.map_err(|e| corpus_error(dir, &e))?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext == "xml" || ext == "json")
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The `Expect:` expression of a corpus document (its header may be UTF-16 or UTF-32).
pub fn expectation(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(16 * 1024)).unwrap_or(bytes);
    let text = decode_header(head);
    let start = text.find("Expect:")? + "Expect:".len();
    let rest = text.get(start..)?;
    let line = rest.lines().next().unwrap_or_default();
    // JSON documents carry the comment inside a string: `… Expect: x -->",`.
    let line = line.split("-->").next().unwrap_or_default();
    let expr = line.trim();
    (!expr.is_empty()).then(|| expr.to_owned())
}

/// Enough decoding to read an ASCII comment in a UTF-16 or UTF-32 document; everything else
/// is read as UTF-8 (lossily).
fn decode_header(bytes: &[u8]) -> String {
    let body = |skip: usize| bytes.get(skip..).unwrap_or_default();
    let units = |data: &[u8], width: usize, big: bool| -> Vec<u32> {
        data.chunks_exact(width)
            .map(|c| {
                let mut value = 0u32;
                let ordered: Vec<u8> = if big {
                    c.to_vec()
                } else {
                    c.iter().rev().copied().collect()
                };
                for b in ordered {
                    value = (value << 8) | u32::from(b);
                }
                value
            })
            .collect()
    };
    let utf32 = |data: &[u8], big: bool| -> String {
        units(data, 4, big)
            .into_iter()
            .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    let utf16 = |data: &[u8], big: bool| -> String {
        let units: Vec<u16> = units(data, 2, big)
            .into_iter()
            .map(|u| u16::try_from(u).unwrap_or(0xFFFD))
            .collect();
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => utf32(body(4), true),
        [0xFF, 0xFE, 0x00, 0x00, ..] => utf32(body(4), false),
        [0x00, 0x00, 0x00, b, ..] if *b != 0 => utf32(bytes, true),
        [b, 0x00, 0x00, 0x00, ..] if *b != 0 => utf32(bytes, false),
        [0xFE, 0xFF, ..] => utf16(body(2), true),
        [0xFF, 0xFE, ..] => utf16(body(2), false),
        [0x00, b, ..] if *b != 0 => utf16(bytes, true),
        [b, 0x00, ..] if *b != 0 => utf16(bytes, false),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Checks one feedparser expectation against our parse of the document.
pub fn check(expect: &str, parsed: &Result<ParsedFeed, FeedError>) -> Verdict {
    check_with(expect, parsed, None)
}

/// [`check`], where a summary or content also matches once passed through `sanitizer`.
pub fn check_with(
    expect: &str,
    parsed: &Result<ParsedFeed, FeedError>,
    sanitizer: Option<Sanitizer<'_>>,
) -> Verdict {
    let expr = match parse_expression(expect) {
        Ok(expr) => expr,
        Err(reason) => return Verdict::Untranslatable(reason),
    };
    let root = Root::new(parsed, sanitizer);
    let mut why = None;
    match eval(&expr, &root, &mut why) {
        Ok(value) if value.truthy() => Verdict::Pass,
        Ok(_) => Verdict::Fail(why.unwrap_or_else(|| "the expression is false".to_owned())),
        Err(Halt::Untranslatable(reason)) => Verdict::Untranslatable(reason),
        Err(Halt::Missing(what)) => Verdict::Fail(match parsed {
            Ok(_) => format!("{what}: not in our output"),
            Err(e) => format!("{what}: not in our output ({e})"),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Tokens and syntax

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Int(i64),
    Name(String),
    Punct(&'static str),
}

const PUNCTS: [&str; 14] = [
    "==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ",", ".", "-", ":",
];

fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let rest = src.get(i..).unwrap_or_default();
        // String prefixes: u'…', r'…', b'…'.
        let prefix = rest
            .chars()
            .take_while(|c| matches!(c, 'u' | 'U' | 'r' | 'R' | 'b' | 'B'))
            .count();
        let after_prefix = rest.get(prefix..).unwrap_or_default();
        if prefix <= 2 && (after_prefix.starts_with('\'') || after_prefix.starts_with('"')) {
            let raw = rest
                .get(..prefix)
                .unwrap_or_default()
                .to_ascii_lowercase()
                .contains('r');
            let (text, used) = string_literal(after_prefix, raw)?;
            tokens.push(Token::Str(text));
            let end = i + prefix + used;
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
            continue;
        }
        if c.is_ascii_digit() {
            let digits: String = rest
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if rest.get(digits.len()..).is_some_and(|r| r.starts_with('.')) {
                return Err("a float literal".to_owned());
            }
            let n = digits
                .parse::<i64>()
                .map_err(|_| format!("number {digits}"))?;
            tokens.push(Token::Int(n));
            for _ in 0..digits.len() {
                chars.next();
            }
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            for _ in 0..name.chars().count() {
                chars.next();
            }
            tokens.push(Token::Name(name));
            continue;
        }
        let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) else {
            return Err(format!("the character {c:?}"));
        };
        tokens.push(Token::Punct(p));
        for _ in 0..p.len() {
            chars.next();
        }
    }
    Ok(tokens)
}

/// A Python string literal starting at its quote; returns its value and the bytes it used.
fn string_literal(src: &str, raw: bool) -> Result<(String, usize), String> {
    let mut chars = src.char_indices();
    let Some((_, quote)) = chars.next() else {
        return Err("an empty string literal".to_owned());
    };
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Ok((out, i + c.len_utf8()));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            break;
        };
        if raw {
            out.push('\\');
            out.push(e);
            continue;
        }
        let mut hex = |n: usize| -> Result<char, String> {
            let digits: String = (0..n)
                .filter_map(|_| chars.next().map(|(_, c)| c))
                .collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("the escape \\{e}{digits}"))
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' | '\'' | '"' => out.push(e),
            'x' => out.push(hex(2)?),
            'u' => out.push(hex(4)?),
            'U' => out.push(hex(8)?),
            '\n' => {}
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Err("an unterminated string literal".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    Str(String),
    Int(i64),
    Tuple(Vec<Expr>),
    Name(String),
    Index(Box<Expr>, Box<Expr>),
    Attr(Box<Expr>, String),
    Call(Box<Expr>, Vec<Expr>),
}

fn parse_expression(src: &str) -> Result<Expr, String> {
    let tokens = tokenize(src)?;
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(t) => Err(format!("syntax near {t:?}")),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.tokens.get(self.pos + ahead)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_name(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token::Name(n)) if n == name)
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Token::Punct(q)) if *q == p)
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), String> {
        if self.is_punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("syntax: expected {p:?}, found {:?}", self.peek()))
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.and()?];
        while self.is_name("or") {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap_or(Expr::Int(0))
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.not()?];
        while self.is_name("and") {
            self.pos += 1;
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap_or(Expr::Int(0))
        } else {
            Expr::And(terms)
        })
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.is_name("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let first = self.postfix()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Some(Token::Punct("==")) => CmpOp::Eq,
                Some(Token::Punct("!=")) => CmpOp::Ne,
                Some(Token::Punct("<")) => CmpOp::Lt,
                Some(Token::Punct("<=")) => CmpOp::Le,
                Some(Token::Punct(">")) => CmpOp::Gt,
                Some(Token::Punct(">=")) => CmpOp::Ge,
                Some(Token::Name(n)) if n == "in" => CmpOp::In,
                Some(Token::Name(n))
                    if n == "not"
                        && matches!(self.peek_at(1), Some(Token::Name(m)) if m == "in") =>
                {
                    self.pos += 1;
                    CmpOp::NotIn
                }
                Some(Token::Name(n)) if n == "is" => {
                    if matches!(self.peek_at(1), Some(Token::Name(m)) if m == "not") {
                        self.pos += 1;
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                _ => break,
            };
            self.pos += 1;
            rest.push((op, self.postfix()?));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Expr::Compare(Box::new(first), rest)
        })
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let mut expr = self.atom()?;
        loop {
            if self.is_punct("[") {
                self.pos += 1;
                let index = self.or()?;
                if self.is_punct(":") {
                    return Err("a slice".to_owned());
                }
                self.expect_punct("]")?;
                expr = Expr::Index(Box::new(expr), Box::new(index));
            } else if self.is_punct(".") {
                self.pos += 1;
                match self.next() {
                    Some(Token::Name(name)) => expr = Expr::Attr(Box::new(expr), name),
                    other => return Err(format!("syntax: attribute {other:?}")),
                }
            } else if self.is_punct("(") {
                self.pos += 1;
                let args = self.items(")")?;
                expr = Expr::Call(Box::new(expr), args);
            } else {
                return Ok(expr);
            }
        }
    }

    /// Comma-separated expressions up to `close` (consumed).
    fn items(&mut self, close: &str) -> Result<Vec<Expr>, String> {
        let mut items = Vec::new();
        while !self.is_punct(close) {
            items.push(self.or()?);
            if !self.is_punct(close) {
                self.expect_punct(",")?;
            }
        }
        self.expect_punct(close)?;
        Ok(items)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Str(mut s)) => {
                // Adjacent literals concatenate, as in Python.
                while let Some(Token::Str(more)) = self.peek() {
                    s.push_str(more);
                    self.pos += 1;
                }
                Ok(Expr::Str(s))
            }
            Some(Token::Int(n)) => Ok(Expr::Int(n)),
            Some(Token::Punct("-")) => match self.next() {
                Some(Token::Int(n)) => Ok(Expr::Int(-n)),
                other => Err(format!("syntax: minus before {other:?}")),
            },
            Some(Token::Name(name)) => Ok(Expr::Name(name)),
            Some(Token::Punct("(")) => {
                let first = self.or()?;
                if self.is_punct(")") {
                    self.pos += 1;
                    return Ok(first);
                }
                self.expect_punct(",")?;
                let mut items = vec![first];
                items.extend(self.items(")")?);
                Ok(Expr::Tuple(items))
            }
            Some(Token::Punct("[")) => Ok(Expr::Tuple(self.items("]")?)),
            other => Err(format!("syntax: unexpected {other:?}")),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Values and evaluation

/// Why an evaluation stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Halt {
    /// Outside what we translate: the whole case is untranslatable.
    Untranslatable(String),
    /// A key or index feedparser would have and our output lacks (Python would raise).
    Missing(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Feed,
    Entry,
    Detail,
    Content,
    Tag,
    Enclosure,
}

impl Shape {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Self::Feed => &["title", "link", "title_detail"],
            Self::Entry => &[
                "title",
                "title_detail",
                "link",
                "id",
                "guid",
                "summary",
                "description",
                "summary_detail",
                "content",
                "author",
                "published_parsed",
                "updated_parsed",
                "tags",
                "category",
                "enclosures",
            ],
            Self::Detail | Self::Content => &["value"],
            Self::Tag => &["term"],
            Self::Enclosure => &["href"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Entry => "entries[N]",
            Self::Detail => "…_detail",
            Self::Content => "content[N]",
            Self::Tag => "tags[N]",
            Self::Enclosure => "enclosures[N]",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    /// Our HTML for a summary or content: equal to a string written as HTML or as plain text,
    /// or (second field) to our HTML once sanitized, when the run has a sanitizer.
    Html(String, Option<String>),
    /// Our one-line title: equal to the string, or to the text of the string read as HTML
    /// (feedparser gives HTML titles as HTML; ours are text by contract).
    Title(String),
    Time(OffsetTime),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Obj(Shape, Vec<(&'static str, Value)>),
    Version(Option<FeedKind>),
    None,
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Self::Bool(b) => *b,
            Self::Int(n) => *n != 0,
            Self::Str(s) | Self::Html(s, _) | Self::Title(s) => !s.is_empty(),
            Self::Time(_) | Self::Version(_) => true,
            Self::Tuple(v) | Self::List(v) => !v.is_empty(),
            Self::Obj(_, fields) => !fields.is_empty(),
            Self::None => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Time(t) => t.to_rfc3339(),
            Self::Version(Some(kind)) => kind.as_str().to_owned(),
            Self::Version(None) => "none".to_owned(),
            other => {
                let mut s = format!("{other:?}");
                if s.chars().count() > 200 {
                    s = s.chars().take(200).collect::<String>() + "…";
                }
                s
            }
        }
    }
}

struct Root {
    bozo: bool,
    kind: Option<FeedKind>,
    feed: Value,
    entries: Value,
}

impl Root {
    fn new(parsed: &Result<ParsedFeed, FeedError>, sanitizer: Option<Sanitizer<'_>>) -> Self {
        match parsed {
            Ok(feed) => Self {
                bozo: false,
                kind: Some(feed.kind),
                feed: feed_value(feed),
                entries: Value::List(
                    feed.entries
                        .iter()
                        .map(|e| entry_value(e, sanitizer))
                        .collect(),
                ),
            },
            // feedparser still returns an (empty) result for a document it gave up on.
            Err(_) => Self {
                bozo: true,
                kind: None,
                feed: Value::Obj(Shape::Feed, Vec::new()),
                entries: Value::List(Vec::new()),
            },
        }
    }
}

fn some_str(fields: &mut Vec<(&'static str, Value)>, key: &'static str, v: Option<&String>) {
    if let Some(v) = v {
        fields.push((key, Value::Str(v.clone())));
    }
}

fn feed_value(feed: &ParsedFeed) -> Value {
    let mut fields = Vec::new();
    if let Some(title) = &feed.title {
        fields.push(("title", Value::Title(title.clone())));
    }
    some_str(&mut fields, "link", feed.link.as_ref());
    if let Some(title) = &feed.title {
        fields.push((
            "title_detail",
            Value::Obj(Shape::Detail, vec![("value", Value::Title(title.clone()))]),
        ));
    }
    Value::Obj(Shape::Feed, fields)
}

fn entry_value(entry: &Entry, sanitizer: Option<Sanitizer<'_>>) -> Value {
    let html = |s: &String| Value::Html(s.clone(), sanitizer.map(|sanitize| sanitize(s)));
    let mut fields = Vec::new();
    if let Some(title) = &entry.title {
        fields.push(("title", Value::Title(title.clone())));
        fields.push((
            "title_detail",
            Value::Obj(Shape::Detail, vec![("value", Value::Title(title.clone()))]),
        ));
    }
    some_str(&mut fields, "link", entry.url.as_ref());
    some_str(&mut fields, "id", entry.guid.as_ref());
    some_str(&mut fields, "guid", entry.guid.as_ref());
    // feedparser copies text and HTML content into a missing summary.
    if let Some(summary) = entry.summary_html.as_ref().or(entry.content_html.as_ref()) {
        fields.push(("summary", html(summary)));
        fields.push(("description", html(summary)));
        fields.push((
            "summary_detail",
            Value::Obj(Shape::Detail, vec![("value", html(summary))]),
        ));
    }
    if let Some(content) = &entry.content_html {
        fields.push((
            "content",
            Value::List(vec![Value::Obj(
                Shape::Content,
                vec![("value", html(content))],
            )]),
        ));
    }
    some_str(&mut fields, "author", entry.author.as_ref());
    if let Some(published) = entry.published {
        fields.push(("published_parsed", Value::Time(published)));
    }
    if let Some(updated) = entry.updated.or(entry.published) {
        fields.push(("updated_parsed", Value::Time(updated)));
    }
    if !entry.categories.is_empty() {
        fields.push((
            "tags",
            Value::List(
                entry
                    .categories
                    .iter()
                    .map(|c| Value::Obj(Shape::Tag, vec![("term", Value::Str(c.clone()))]))
                    .collect(),
            ),
        ));
    }
    some_str(&mut fields, "category", entry.categories.first());
    let enclosures = entry
        .image
        .iter()
        .map(|i| Value::Obj(Shape::Enclosure, vec![("href", Value::Str(i.url.clone()))]))
        .collect();
    fields.push(("enclosures", Value::List(enclosures)));
    Value::Obj(Shape::Entry, fields)
}

/// Evaluates every operand before combining them, so that an untranslatable part is found
/// even where Python would have short-circuited past it; a missing value only fails the case
/// where Python would have reached it.
fn eval(expr: &Expr, root: &Root, why: &mut Option<String>) -> Result<Value, Halt> {
    match expr {
        Expr::Or(terms) | Expr::And(terms) => {
            let values: Vec<Result<Value, Halt>> =
                terms.iter().map(|t| eval(t, root, why)).collect();
            if let Some(u) = first_untranslatable(&values) {
                return Err(u);
            }
            let is_or = matches!(expr, Expr::Or(_));
            let mut last = Value::Bool(!is_or);
            for value in values {
                let value = value?;
                if value.truthy() == is_or {
                    return Ok(value);
                }
                last = value;
            }
            Ok(last)
        }
        Expr::Not(inner) => Ok(Value::Bool(!eval(inner, root, why)?.truthy())),
        Expr::Compare(first, rest) => {
            let mut values = vec![eval(first, root, why)];
            values.extend(rest.iter().map(|(_, e)| eval(e, root, why)));
            if let Some(u) = first_untranslatable(&values) {
                return Err(u);
            }
            let values = values.into_iter().collect::<Result<Vec<_>, _>>()?;
            for ((op, _), pair) in rest.iter().zip(values.windows(2)) {
                let [left, right] = pair else {
                    continue;
                };
                if !compare(*op, left, right)? {
                    *why = Some(format!(
                        "ours {} {op:?} expected {}",
                        left.describe(),
                        right.describe()
                    ));
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(true))
        }
        Expr::Str(s) => Ok(Value::Str(s.clone())),
        Expr::Int(n) => Ok(Value::Int(*n)),
        Expr::Tuple(items) => {
            let values: Vec<Result<Value, Halt>> =
                items.iter().map(|t| eval(t, root, why)).collect();
            if let Some(u) = first_untranslatable(&values) {
                return Err(u);
            }
            Ok(Value::Tuple(values.into_iter().collect::<Result<_, _>>()?))
        }
        Expr::Name(name) => match name.as_str() {
            "bozo" => Ok(Value::Bool(root.bozo)),
            "feed" => Ok(root.feed.clone()),
            "entries" => Ok(root.entries.clone()),
            "version" => Ok(Value::Version(root.kind)),
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "None" => Ok(Value::None),
            other => Err(Halt::Untranslatable(other.to_owned())),
        },
        Expr::Index(base, index) => {
            let base = eval(base, root, why);
            let index = eval(index, root, why)?;
            lookup(base, &index)
        }
        Expr::Attr(base, name) => lookup(eval(base, root, why), &Value::Str(name.clone())),
        Expr::Call(function, args) => {
            let Expr::Name(name) = function.as_ref() else {
                return Err(Halt::Untranslatable("a method call".to_owned()));
            };
            let [arg] = args.as_slice() else {
                return Err(Halt::Untranslatable(format!("{name}(…)")));
            };
            match name.as_str() {
                "len" => match eval(arg, root, why)? {
                    Value::List(v) | Value::Tuple(v) => Ok(Value::Int(count(v.len()))),
                    Value::Str(s) | Value::Html(s, _) | Value::Title(s) => {
                        Ok(Value::Int(count(s.chars().count())))
                    }
                    Value::Obj(_, fields) => Ok(Value::Int(count(fields.len()))),
                    other => Err(Halt::Untranslatable(format!("len({})", other.describe()))),
                },
                "ord" => match eval(arg, root, why)? {
                    Value::Str(s) | Value::Html(s, _) | Value::Title(s) => {
                        let mut chars = s.chars();
                        match (chars.next(), chars.next()) {
                            (Some(c), None) => Ok(Value::Int(i64::from(u32::from(c)))),
                            _ => {
                                *why = Some(format!("ord() of {s:?}, not one character"));
                                Ok(Value::None)
                            }
                        }
                    }
                    other => Err(Halt::Untranslatable(format!("ord({})", other.describe()))),
                },
                other => Err(Halt::Untranslatable(format!("{other}(…)"))),
            }
        }
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn first_untranslatable(values: &[Result<Value, Halt>]) -> Option<Halt> {
    values.iter().find_map(|v| match v {
        Err(u @ Halt::Untranslatable(_)) => Some(u.clone()),
        _ => None,
    })
}

fn lookup(base: Result<Value, Halt>, index: &Value) -> Result<Value, Halt> {
    let base = match base {
        Ok(base) => base,
        Err(Halt::Missing(what)) => {
            // The base is missing, so its shape is unknown: a key no shape has is still ours
            // to call untranslatable.
            if let Value::Str(key) = index {
                let known = [
                    Shape::Feed,
                    Shape::Entry,
                    Shape::Detail,
                    Shape::Tag,
                    Shape::Enclosure,
                ]
                .iter()
                .any(|s| s.keys().contains(&key.as_str()));
                if !known {
                    return Err(Halt::Untranslatable(format!("['{key}']")));
                }
            }
            return Err(Halt::Missing(what));
        }
        Err(u) => return Err(u),
    };
    match (&base, index) {
        (Value::Obj(shape, fields), Value::Str(key)) => {
            if !shape.keys().contains(&key.as_str()) {
                return Err(Halt::Untranslatable(format!("{}['{key}']", shape.name())));
            }
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| Halt::Missing(format!("{}['{key}']", shape.name())))
        }
        (Value::List(items) | Value::Tuple(items), Value::Int(i)) => {
            let at = if *i < 0 {
                usize::try_from(count(items.len()) + i).ok()
            } else {
                usize::try_from(*i).ok()
            };
            at.and_then(|at| items.get(at))
                .cloned()
                .ok_or_else(|| Halt::Missing(format!("[{i}] of {} items", items.len())))
        }
        _ => Err(Halt::Untranslatable(format!(
            "indexing {} with {}",
            base.describe(),
            index.describe()
        ))),
    }
}

fn compare(op: CmpOp, left: &Value, right: &Value) -> Result<bool, Halt> {
    match op {
        CmpOp::Eq => equal(left, right),
        CmpOp::Ne => equal(left, right).map(|eq| !eq),
        CmpOp::In | CmpOp::NotIn => contains(right, left).map(|c| c == (op == CmpOp::In)),
        CmpOp::Is | CmpOp::IsNot => {
            let same = match (left, right) {
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::None, Value::None) => true,
                (Value::Bool(_) | Value::None, _) | (_, Value::Bool(_) | Value::None) => false,
                _ => return Err(Halt::Untranslatable("`is` between objects".to_owned())),
            };
            Ok(same == (op == CmpOp::Is))
        }
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => match (left, right) {
            (Value::Int(a), Value::Int(b)) => Ok(match op {
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                _ => a >= b,
            }),
            _ => Err(Halt::Untranslatable(
                "an ordering of non-numbers".to_owned(),
            )),
        },
    }
}

fn equal(left: &Value, right: &Value) -> Result<bool, Halt> {
    Ok(match (left, right) {
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::Html(ours, sanitized), Value::Str(expected))
        | (Value::Str(expected), Value::Html(ours, sanitized)) => {
            html_matches(ours, expected)
                || sanitized
                    .as_deref()
                    .is_some_and(|s| html_matches(s, expected))
        }
        (Value::Html(a, _), Value::Html(b, _)) => a == b,
        (Value::Title(ours), Value::Str(expected)) | (Value::Str(expected), Value::Title(ours)) => {
            ours == expected || one_line(expected, true).is_some_and(|text| text == *ours)
        }
        (Value::Title(a), Value::Title(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Bool(b), Value::Int(n)) | (Value::Int(n), Value::Bool(b)) => i64::from(*b) == *n,
        (Value::Time(t), Value::Tuple(parts)) | (Value::Tuple(parts), Value::Time(t)) => {
            time_matches(*t, parts)?
        }
        (Value::Time(a), Value::Time(b)) => a.unix_micros / 1_000_000 == b.unix_micros / 1_000_000,
        (Value::Version(kind), Value::Str(v)) | (Value::Str(v), Value::Version(kind)) => {
            version_matches(*kind, v)?
        }
        (Value::Tuple(a), Value::Tuple(b)) | (Value::List(a), Value::List(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .try_fold(true, |all, (x, y)| Ok(all && equal(x, y)?))?
        }
        (Value::None, Value::None) => true,
        (Value::Obj(..), _) | (_, Value::Obj(..)) => {
            return Err(Halt::Untranslatable(
                "a comparison with a whole object".to_owned(),
            ));
        }
        // Python: values of different types are unequal.
        _ => false,
    })
}

/// Ours is HTML; feedparser's value is HTML as written or, for text content, plain text.
fn html_matches(ours: &str, expected: &str) -> bool {
    let expected = expected.trim();
    ours == expected || text_to_html(expected).is_some_and(|as_html| as_html == ours)
}

fn contains(haystack: &Value, needle: &Value) -> Result<bool, Halt> {
    match (haystack, needle) {
        (Value::Str(h) | Value::Html(h, _) | Value::Title(h), Value::Str(n)) => {
            Ok(h.contains(n.as_str()))
        }
        (Value::Obj(shape, fields), Value::Str(key)) => {
            if shape.keys().contains(&key.as_str()) {
                Ok(fields.iter().any(|(k, _)| k == key))
            } else {
                Err(Halt::Untranslatable(format!("'{key}' in {}", shape.name())))
            }
        }
        (Value::List(items) | Value::Tuple(items), needle) => items
            .iter()
            .try_fold(false, |found, item| Ok(found || equal(item, needle)?)),
        _ => Err(Halt::Untranslatable(format!(
            "{} in {}",
            needle.describe(),
            haystack.describe()
        ))),
    }
}

/// feedparser's `time.struct_time`: year, month, day, hour, minute, second in UTC (weekday,
/// day of year and DST flag follow from them).
fn time_matches(ours: OffsetTime, parts: &[Value]) -> Result<bool, Halt> {
    let expected: Vec<i64> = parts
        .iter()
        .take(6)
        .map(|p| match p {
            Value::Int(n) => Ok(*n),
            other => Err(Halt::Untranslatable(format!(
                "a time tuple holding {}",
                other.describe()
            ))),
        })
        .collect::<Result<_, _>>()?;
    if expected.len() < 6 {
        return Err(Halt::Untranslatable("a short time tuple".to_owned()));
    }
    let utc = jiff::tz::Offset::UTC.to_datetime(ours.timestamp());
    let actual = [
        i64::from(utc.year()),
        i64::from(utc.month()),
        i64::from(utc.day()),
        i64::from(utc.hour()),
        i64::from(utc.minute()),
        i64::from(utc.second()),
    ];
    Ok(actual.as_slice() == expected.as_slice())
}

/// feedparser names versions finer than we do; each maps onto one of our kinds.
fn version_matches(kind: Option<FeedKind>, version: &str) -> Result<bool, Halt> {
    use FeedKind::{Atom, JsonFeed, Rss0, Rss1, Rss2};
    let wanted: &[FeedKind] = match version {
        "" => return Ok(kind.is_none()),
        "atom" | "atom01" | "atom02" | "atom03" | "atom10" => &[Atom],
        "rss" => &[Rss0, Rss1, Rss2],
        "rss090" | "rss10" => &[Rss1],
        "rss091n" | "rss091u" | "rss092" | "rss093" | "rss094" => &[Rss0],
        "rss20" => &[Rss2],
        "json1" | "json11" => &[JsonFeed],
        other => return Err(Halt::Untranslatable(format!("version {other:?}"))),
    };
    Ok(kind.is_some_and(|k| wanted.contains(&k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &[u8] = br#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example &amp; Co</title><link>http://example.com/</link>
<item><title>First</title><link>/first</link><guid isPermaLink="false">a-1</guid>
<description>&lt;b&gt;Bold&lt;/b&gt; words</description>
<pubDate>Wed, 31 Dec 2003 12:14:55 +0200</pubDate>
<category>News</category><category>World</category>
<enclosure url="http://example.com/p.jpg" type="image/jpeg" length="1"/></item>
<item><title>Second</title></item>
</channel></rss>"#;

    const ATOM: &[u8] = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Atom</title>
<entry><title>A</title><id>urn:a</id><summary type="text">History of the &lt;blink&gt; tag</summary>
<content type="html">&lt;p&gt;Body&lt;/p&gt;</content><author><name>Ann</name></author></entry></feed>"#;

    fn run(expect: &str, doc: &[u8]) -> Verdict {
        let base = Url::parse("http://example.com/feed.xml").unwrap();
        check(expect, &crate::parse(doc, Some(&base)))
    }

    #[test]
    fn feed_fields_and_bozo() {
        assert_eq!(
            run("not bozo and feed['title'] == 'Example & Co'", RSS),
            Verdict::Pass
        );
        assert_eq!(
            run("feed.link == u'http://example.com/'", RSS),
            Verdict::Pass
        );
        assert_eq!(run("len(entries) == 2", RSS), Verdict::Pass);
        assert_eq!(run("bozo", b"<rss><channel>"), Verdict::Pass);
        assert!(matches!(run("bozo", RSS), Verdict::Fail(_)));
        assert!(matches!(
            run("feed['title'] == 'x'", b"not a feed"),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn entry_fields() {
        assert_eq!(
            run(
                "entries[0]['link'] == 'http://example.com/first' and entries[0]['id'] == 'a-1'",
                RSS
            ),
            Verdict::Pass
        );
        assert_eq!(
            run("entries[0]['description'] == '<b>Bold</b> words'", RSS),
            Verdict::Pass
        );
        assert_eq!(
            run(
                "entries[0]['published_parsed'] == (2003, 12, 31, 10, 14, 55, 2, 365, 0)",
                RSS
            ),
            Verdict::Pass
        );
        assert_eq!(
            run(
                "entries[0]['updated_parsed'] == (2003, 12, 31, 10, 14, 55, 2, 365, 0)",
                RSS
            ),
            Verdict::Pass
        );
        assert_eq!(
            run(
                "entries[0]['tags'][1]['term'] == 'World' and entries[0].category == 'News'",
                RSS
            ),
            Verdict::Pass
        );
        assert_eq!(
            run(
                "entries[0]['enclosures'][0]['href'] == 'http://example.com/p.jpg'",
                RSS
            ),
            Verdict::Pass
        );
        assert_eq!(run("'summary' not in entries[1]", RSS), Verdict::Pass);
        assert_eq!(run("entries[-1]['title'] != 'First'", RSS), Verdict::Pass);
    }

    #[test]
    fn text_summary_matches_our_html_and_content_value() {
        assert_eq!(
            run(
                "entries[0]['summary'] == 'History of the <blink> tag'",
                ATOM
            ),
            Verdict::Pass
        );
        assert_eq!(
            run(
                "entries[0]['content'][0]['value'] == '<p>Body</p>' and entries[0]['author'] == \"Ann\"",
                ATOM
            ),
            Verdict::Pass
        );
        assert_eq!(run("version == 'atom10'", ATOM), Verdict::Pass);
        assert!(matches!(run("version == 'rss20'", ATOM), Verdict::Fail(_)));
    }

    #[test]
    fn missing_values_fail_and_short_circuit_like_python() {
        assert!(matches!(
            run("entries[5]['title'] == 'x'", RSS),
            Verdict::Fail(_)
        ));
        assert_eq!(
            run("not bozo or entries[5]['title'] == 'x'", RSS),
            Verdict::Pass
        );
        assert!(matches!(
            run("entries[1]['link'] == 'x'", RSS),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn untranslatable_is_never_a_pass() {
        for expect in [
            "not bozo and encoding == 'utf-8'",
            "bozo or feed['tagline'] == 'x'",
            "entries[0]['title_detail']['type'] == 'text/plain'",
            "entries[9]['where']['type'] == 'Point'",
            "headers.get('x-foo') == 'bar'",
            "isinstance(bozo_exception, feedparser.X)",
            "entries[0]['where']['coordinates'] == (31.1, 36.9)",
        ] {
            assert!(
                matches!(run(expect, RSS), Verdict::Untranslatable(_)),
                "{expect}"
            );
        }
    }

    #[test]
    fn string_literals() {
        assert_eq!(
            parse_expression(r"u'caf\xe9 \u2208 \U0001F600 it\'s' ' x'").unwrap(),
            Expr::Str("café ∈ 😀 it's x".to_owned())
        );
        assert_eq!(
            parse_expression(r#""a\\b""#).unwrap(),
            Expr::Str("a\\b".to_owned())
        );
        assert!(parse_expression("'open").is_err());
    }

    #[test]
    fn html_titles_summary_fallback_and_sanitizer() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<title type="html">&lt;b&gt;Big&lt;/b&gt; news</title>
<content type="html">safe&lt;script&gt;x()&lt;/script&gt; text</content></entry></feed>"#;
        let base = Url::parse(CORPUS_BASE).unwrap();
        let parsed = crate::parse(doc, Some(&base));
        // Our title is the text of feedparser's HTML title.
        let title = "entries[0]['title'] == '<b>Big</b> news'";
        assert_eq!(check(title, &parsed), Verdict::Pass);
        // Content stands in for a missing summary; only sanitized does it match.
        let summary = "entries[0]['description'] == 'safe text'";
        assert!(matches!(check(summary, &parsed), Verdict::Fail(_)));
        let strip_script = |html: &str| html.replace("<script>x()</script>", "");
        assert_eq!(
            check_with(summary, &parsed, Some(&strip_script)),
            Verdict::Pass
        );
    }

    #[test]
    fn chained_comparison() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom">
<entry><link href="http://x.example/a"/></entry><entry><link href="http://x.example/a"/></entry></feed>"#;
        assert_eq!(
            run(
                "entries[0]['link'] == entries[1]['link'] == 'http://x.example/a'",
                doc
            ),
            Verdict::Pass
        );
    }

    #[test]
    fn expectation_is_read_from_the_header_in_any_width() {
        let doc =
            "<!--\nDescription: x\nExpect:      not bozo and feed['title'] == 'T'\n-->\n<rss/>";
        let want = Some("not bozo and feed['title'] == 'T'".to_owned());
        assert_eq!(expectation(doc.as_bytes()), want);
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(doc.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(expectation(&utf16le), want);
        let utf32be: Vec<u8> = doc
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        assert_eq!(expectation(&utf32be), want);
        let json =
            br#"{"__TEST__": "Description: j Expect: not bozo and len(entries) == 2 -->", "x": 1}"#;
        assert_eq!(
            expectation(json),
            Some("not bozo and len(entries) == 2".to_owned())
        );
    }

    #[test]
    fn report_display_has_a_row_per_folder_and_overall() {
        let mut wellformed = FolderReport {
            folder: "wellformed".to_owned(),
            ..FolderReport::default()
        };
        wellformed.add(&Verdict::Pass);
        wellformed.add(&Verdict::Fail("x".to_owned()));
        wellformed.add(&Verdict::Untranslatable("encoding".to_owned()));
        let report = FeedEvalReport {
            folders: vec![wellformed],
            cases: Vec::new(),
            documents: 3,
            parser_panics: 0,
            parse_time: Duration::from_millis(3),
        };
        let shown = report.to_string();
        assert!(
            shown
                .contains("wellformed        3          2       1       1              1     50.0"),
            "{shown}"
        );
        assert!(shown.contains("overall"), "{shown}");
        assert!(shown.contains("documents/second"), "{shown}");
        assert!(shown.contains("encoding ×1"), "{shown}");
    }
}
