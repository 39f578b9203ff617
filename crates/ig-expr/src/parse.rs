//! The infix grammar of docs/cli.md, by recursive descent.
//!
//! ```text
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | power
//! power   := primary ("^" unary)?          right-associative, so a^b^c = a^(b^c)
//! primary := number | "pi" | name | func "(" sum ")" | ("polygamma" | "besseli") "(" n "," sum ")"
//!          | "(" sum ")"
//! ```
//!
//! Numbers are exact rationals. A minus sign directly before a constant, and a division of
//! two constants by a non-zero one, are folded exactly, since the language has no rational
//! token: `3/2` is the constant 3/2 and `-2` the constant −2.

use crate::expr::{Expr, Op};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Pow, Zero};
use std::fmt;

/// Why an expression did not parse, and where (1-based column, in characters).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    /// 1-based column of the offending character.
    pub column: usize,
    /// What was expected, and what was found.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(BigRational),
    Name(String),
    Punct(char),
    End,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Number(n) => write!(f, "number {n}"),
            Token::Name(n) => write!(f, "'{n}'"),
            Token::Punct(c) => write!(f, "'{c}'"),
            Token::End => write!(f, "end of input"),
        }
    }
}

/// Parses an expression.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        nesting: 0,
    };
    let (e, _) = parser.sum()?;
    parser.expect_end()?;
    Ok(e)
}

/// Parses a constant written as a decimal number (an optional sign, digits, an optional
/// fraction and exponent), exactly.
pub fn parse_decimal(text: &str) -> Option<BigRational> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let chars: Vec<char> = body.chars().collect();
    let (value, used) = scan_number(&chars, 0)?;
    (used == chars.len()).then(|| if negative { -value } else { value })
}

/// Scans a number starting at `start`; returns its value and the index after it.
fn scan_number(chars: &[char], start: usize) -> Option<(BigRational, usize)> {
    let mut i = start;
    let mut digits = String::new();
    while i < chars.len() && chars[i].is_ascii_digit() {
        digits.push(chars[i]);
        i += 1;
    }
    let mut scale = 0i64;
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        while i < chars.len() && chars[i].is_ascii_digit() {
            digits.push(chars[i]);
            scale += 1;
            i += 1;
        }
    }
    if digits.is_empty() {
        return None;
    }
    if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
        let mut j = i + 1;
        let mut exp_text = String::new();
        if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
            exp_text.push(chars[j]);
            j += 1;
        }
        let digits_start = j;
        while j < chars.len() && chars[j].is_ascii_digit() {
            exp_text.push(chars[j]);
            j += 1;
        }
        if j > digits_start {
            // Exponents beyond this are not numbers anyone means; refuse rather than allocate.
            let exp: i64 = exp_text.parse().ok().filter(|e: &i64| e.abs() <= 4000)?;
            scale -= exp;
            i = j;
        }
    }
    let mantissa: BigInt = digits.parse().ok()?;
    let ten = BigInt::from(10);
    let value = if scale >= 0 {
        BigRational::new(mantissa, Pow::pow(&ten, scale as u64))
    } else {
        BigRational::from_integer(mantissa * Pow::pow(&ten, (-scale) as u64))
    };
    Some((value, i))
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let (value, next) = scan_number(&chars, i).ok_or_else(|| ParseError {
                column,
                message: "expected a number".into(),
            })?;
            i = next;
            tokens.push((Token::Number(value), column));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push((Token::Name(chars[start..i].iter().collect()), column));
        } else if "+-*/^(),".contains(c) {
            tokens.push((Token::Punct(c), column));
            i += 1;
        } else {
            return Err(ParseError {
                column,
                message: format!(
                    "expected a number, a name, an operator or a parenthesis, found '{c}'"
                ),
            });
        }
    }
    tokens.push((Token::End, chars.len() + 1));
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    /// Open parentheses, function calls and unary minus signs around the current position.
    nesting: usize,
}

/// Deepest tree the parser builds. Deeper input is refused with an error: every consumer
/// of a tree recurses over it, and a stack overflow is not an answer.
pub const MAX_DEPTH: usize = 1000;

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos].0
    }

    fn column(&self) -> usize {
        self.tokens[self.pos].1
    }

    fn error<T>(&self, expected: &str) -> Result<T, ParseError> {
        Err(ParseError {
            column: self.column(),
            message: format!("expected {expected}, found {}", self.peek()),
        })
    }

    fn eat(&mut self, c: char) -> bool {
        if *self.peek() == Token::Punct(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            self.error(&format!("'{c}'"))
        }
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        match self.peek() {
            Token::End => Ok(()),
            _ => self.error("an operator or end of input"),
        }
    }

    fn too_deep<T>(column: usize) -> Result<T, ParseError> {
        Err(ParseError {
            column,
            message: format!("expected an expression at most {MAX_DEPTH} levels deep"),
        })
    }

    /// A node over children of the given depths, refused when it is too deep.
    fn node(
        &self,
        e: Expr,
        child_depths: &[usize],
        column: usize,
    ) -> Result<(Expr, usize), ParseError> {
        let d = 1 + child_depths.iter().copied().max().unwrap_or(0);
        if d > MAX_DEPTH {
            return Self::too_deep(column);
        }
        Ok((e, d))
    }

    fn sum(&mut self) -> Result<(Expr, usize), ParseError> {
        let (mut e, mut d) = self.product()?;
        loop {
            let column = self.column();
            let op = if self.eat('+') {
                Op::Add
            } else if self.eat('-') {
                Op::Sub
            } else {
                return Ok((e, d));
            };
            let (r, rd) = self.product()?;
            (e, d) = self.node(Expr::binary(op, e, r), &[d, rd], column)?;
        }
    }

    fn product(&mut self) -> Result<(Expr, usize), ParseError> {
        let (mut e, mut d) = self.unary()?;
        loop {
            let column = self.column();
            if self.eat('*') {
                let (r, rd) = self.unary()?;
                (e, d) = self.node(Expr::mul(e, r), &[d, rd], column)?;
            } else if self.eat('/') {
                let (r, rd) = self.unary()?;
                (e, d) = match (e.as_num(), r.as_num()) {
                    (Some(n), Some(m)) if !m.is_zero() => (Expr::rational(n / m), 1),
                    _ => self.node(Expr::div(e, r), &[d, rd], column)?,
                };
            } else {
                return Ok((e, d));
            }
        }
    }

    fn unary(&mut self) -> Result<(Expr, usize), ParseError> {
        let column = self.column();
        if self.nesting > MAX_DEPTH {
            return Self::too_deep(column);
        }
        if self.eat('-') {
            self.nesting += 1;
            let (e, d) = self.unary()?;
            self.nesting -= 1;
            match e.as_num() {
                Some(n) => Ok((Expr::rational(-n), 1)),
                None => self.node(Expr::neg(e), &[d], column),
            }
        } else {
            self.power()
        }
    }

    fn power(&mut self) -> Result<(Expr, usize), ParseError> {
        let (base, bd) = self.primary()?;
        let column = self.column();
        if self.eat('^') {
            self.nesting += 1;
            let (exponent, ed) = self.unary()?;
            self.nesting -= 1;
            self.node(Expr::pow(base, exponent), &[bd, ed], column)
        } else {
            Ok((base, bd))
        }
    }

    fn primary(&mut self) -> Result<(Expr, usize), ParseError> {
        let column = self.column();
        if self.nesting > MAX_DEPTH {
            return Self::too_deep(column);
        }
        match self.peek().clone() {
            Token::Number(n) => {
                self.pos += 1;
                Ok((Expr::rational(n), 1))
            }
            Token::Punct('(') => {
                self.pos += 1;
                self.nesting += 1;
                let e = self.sum()?;
                self.nesting -= 1;
                self.expect(')')?;
                Ok(e)
            }
            Token::Name(name) => {
                self.pos += 1;
                self.nesting += 1;
                let e = self.named(&name, column)?;
                self.nesting -= 1;
                Ok(e)
            }
            _ => self.error("a number, a name or '('"),
        }
    }

    fn named(&mut self, name: &str, column: usize) -> Result<(Expr, usize), ParseError> {
        if name == "pi" {
            return Ok((Expr::pi(), 1));
        }
        if let Some(op) =
            Op::from_name(name, 2).filter(|op| matches!(op, Op::Polygamma | Op::BesselI))
        {
            self.expect('(')?;
            let order = match self.peek().clone() {
                Token::Number(n) if n.is_integer() && u32::try_from(n.to_integer()).is_ok() => n,
                _ => return self.error(&format!("a non-negative integer order for {name}")),
            };
            self.pos += 1;
            self.expect(',')?;
            let (x, d) = self.sum()?;
            self.expect(')')?;
            return self.node(Expr::binary(op, Expr::rational(order), x), &[d], column);
        }
        if let Some(op) = Op::from_name(name, 1) {
            self.expect('(')?;
            let (x, d) = self.sum()?;
            self.expect(')')?;
            return self.node(Expr::unary(op, x), &[d], column);
        }
        if *self.peek() == Token::Punct('(') {
            return Err(ParseError {
                column,
                message: format!("expected a known function, found unknown function '{name}'"),
            });
        }
        Ok((Expr::sym(name), 1))
    }
}
