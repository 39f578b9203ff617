//! Many records at once (`--points FILE`, `-` for standard input): one record per line, as
//! CSV (the numbers of its slots in order) or a JSON line; the answers in the same order,
//! one line each, computed on every core. Each record is computed alone, so the output is
//! the same on any number of threads.

use crate::family::{decimal, in_family, parse_point, parse_vector};
use crate::Failure;
use ig_expr::{parse_decimal, BigRational};
use ig_spec::Family;
use rayon::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::sync::Mutex;

/// At most this many records in one batch.
pub const MAX_RECORDS: usize = 1_000_000;

/// At most this many bytes of input.
const MAX_BYTES: u64 = 1 << 30;

/// One part of a record: a point of the family (checked against its domain) or a tangent
/// vector (any finite components), each with one value per coordinate.
#[derive(Clone, Copy, Debug)]
pub enum Slot {
    /// A point, by its name in JSON lines (`at`, `from`, `to`).
    Point(&'static str),
    /// A tangent vector, by its name in JSON lines (`velocity`, `vector`, `u`, `v`).
    Vector(&'static str),
}

impl Slot {
    fn name(self) -> &'static str {
        match self {
            Slot::Point(s) | Slot::Vector(s) => s,
        }
    }
}

/// A record: its line in the input, and the values of its slots, exactly.
pub struct Record {
    /// 1-based line number.
    pub line: usize,
    /// One vector of values per slot, in coordinate order.
    pub slots: Vec<Vec<BigRational>>,
}

/// What one record gives: the line without `--json` and the JSON object.
pub struct Answer {
    /// The text line.
    pub text: String,
    /// The JSON object.
    pub json: Value,
}

/// A command's records: one from its flags, or every line of `--points`.
pub struct Records {
    list: Vec<Record>,
    from_flags: bool,
}

impl Records {
    /// The records, in input order.
    pub fn list(&self) -> &[Record] {
        &self.list
    }

    /// Whether the one record came from the command's flags (not `--points`).
    pub fn is_single(&self) -> bool {
        self.from_flags
    }
}

/// The records of a command whose slots are given by flags (`--from POINT` …, each `None`
/// when absent) or, with `points`, by the lines of a file or standard input.
pub fn gather(
    family: &Family,
    flags: &[(Slot, Option<&str>)],
    points: Option<&str>,
) -> Result<Records, Failure> {
    let slots: Vec<Slot> = flags.iter().map(|(s, _)| *s).collect();
    if let Some(source) = points {
        if let Some((s, _)) = flags.iter().find(|(_, t)| t.is_some()) {
            return Err(Failure::input(format!(
                "--{} and --points exclude each other: the points file gives every record",
                s.name()
            )));
        }
        return Ok(Records {
            list: read(source, family, &slots)?,
            from_flags: false,
        });
    }
    let values = flags
        .iter()
        .map(|(slot, text)| {
            let text = text.ok_or_else(|| {
                Failure::input(format!(
                    "missing --{} (or give records with --points)",
                    slot.name()
                ))
            })?;
            match slot {
                Slot::Point(_) => parse_point(text, family),
                Slot::Vector(_) => parse_vector(text, family),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Records {
        list: vec![Record {
            line: 0,
            slots: values,
        }],
        from_flags: true,
    })
}

/// Reads the records of `source` (a path, or `-` for standard input). A leading UTF-8 byte
/// order mark is dropped. Blank lines and lines starting with `#` are skipped; the first
/// other line may be a header (as many fields as a record, the first not a number). Any malformed record is bad
/// input naming its line, before anything is computed.
fn read(source: &str, family: &Family, slots: &[Slot]) -> Result<Vec<Record>, Failure> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = if source == "-" {
        std::io::stdin().take(MAX_BYTES).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(source).and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes))
    };
    let label = if source == "-" {
        "standard input"
    } else {
        source
    };
    read.map_err(|e| Failure::input(format!("{label}: {e}")))?;
    if bytes.len() as u64 >= MAX_BYTES {
        return Err(Failure::input(format!(
            "{label}: more than {MAX_BYTES} bytes of points"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        let bad = e.as_bytes()[valid.len()];
        Failure::input(format!("{label}:{line}: not UTF-8 text (byte 0x{bad:02X})"))
    })?;
    // A byte order mark would make the first record look like a header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut records = Vec::new();
    let mut header_allowed = true;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // A field that starts like a number is a number, even a malformed one (a record to
        // refuse, never a header to skip).
        let first_is_number = line.split(',').next().is_some_and(|f| {
            let f = f.trim();
            f.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
                || parse_decimal(f).is_some()
        });
        // A header names every field of a record: a lone word (`null`, `"abc"`) is not one.
        let fields = slots.len() * family.coordinates.len();
        if std::mem::take(&mut header_allowed)
            && !line.starts_with(['{', '['])
            && !first_is_number
            && line.split(',').count() == fields
        {
            continue;
        }
        let at = |m: String| Failure::input(format!("{label}:{}: {m}", i + 1));
        let values = if line.starts_with(['{', '[']) {
            json_record(line, family, slots)
        } else {
            csv_record(line, family, slots)
        }
        .map_err(at)?;
        for (slot, point) in slots.iter().zip(&values) {
            if let Slot::Point(name) = slot {
                in_family(point, family).map_err(|m| at(format!("{name}: {m}")))?;
            }
        }
        records.push(Record {
            line: i + 1,
            slots: values,
        });
        if records.len() > MAX_RECORDS {
            return Err(Failure::input(format!(
                "{label}: more than {MAX_RECORDS} records"
            )));
        }
    }
    if records.is_empty() {
        return Err(Failure::input(format!("{label}: no records")));
    }
    Ok(records)
}

/// What a record of these slots must hold, for messages.
fn expected(family: &Family, slots: &[Slot]) -> String {
    let names: Vec<String> = slots
        .iter()
        .map(|s| format!("{} ({})", s.name(), family.coordinates.join(", ")))
        .collect();
    format!(
        "{} numbers: {}",
        slots.len() * family.coordinates.len(),
        names.join(", then ")
    )
}

/// The values of a record given as one list of numbers (`found` names what `items` are:
/// fields, numbers), counted, then read with `number` and cut into its slots.
fn split_slots<T>(
    items: &[T],
    number: impl Fn(&T) -> Result<BigRational, String>,
    found: &str,
    family: &Family,
    slots: &[Slot],
) -> Result<Vec<Vec<BigRational>>, String> {
    let n = family.coordinates.len();
    if items.len() != n * slots.len() {
        return Err(format!(
            "expected {}, found {} {found}",
            expected(family, slots),
            items.len()
        ));
    }
    let numbers = items.iter().map(number).collect::<Result<Vec<_>, _>>()?;
    Ok(numbers.chunks(n).map(<[BigRational]>::to_vec).collect())
}

fn csv_record(
    line: &str,
    family: &Family,
    slots: &[Slot],
) -> Result<Vec<Vec<BigRational>>, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    split_slots(&fields, |f| decimal(f), "fields", family, slots)
}

/// A JSON number (exactly as written, never through a double) or a decimal string.
fn json_number(v: &Json) -> Result<BigRational, String> {
    match &v.kind {
        Kind::Number => decimal(&v.text),
        Kind::String(s) => decimal(s.trim()),
        _ => Err(format!("expected a number, found {}", shown(&v.text))),
    }
}

/// One slot's values: an array in coordinate order, or an object with every coordinate once.
fn json_values(v: &Json, family: &Family) -> Result<Vec<BigRational>, String> {
    let n = family.coordinates.len();
    match &v.kind {
        Kind::Array(items) if items.len() == n => items.iter().map(json_number).collect(),
        Kind::Array(items) => Err(format!("expected {n} numbers, found {}", items.len())),
        Kind::Object(entries) => {
            if let Some((k, _)) = entries
                .iter()
                .find(|(k, _)| !family.coordinates.contains(k))
            {
                return Err(format!(
                    "unknown coordinate {} (coordinates: {})",
                    quoted(k),
                    family.coordinates.join(", ")
                ));
            }
            family
                .coordinates
                .iter()
                .map(|c| {
                    json_number(
                        v.get(c)
                            .ok_or_else(|| format!("missing coordinate '{c}'"))?,
                    )
                })
                .collect()
        }
        _ => Err(format!(
            "expected an array or object of coordinates, found {}",
            shown(&v.text)
        )),
    }
}

fn json_record(
    line: &str,
    family: &Family,
    slots: &[Slot],
) -> Result<Vec<Vec<BigRational>>, String> {
    let value = Json::parse(line)?;
    match &value.kind {
        Kind::Array(items) => split_slots(items, json_number, "numbers", family, slots),
        // A record of one slot may be the coordinates themselves.
        Kind::Object(_) if slots.len() == 1 && value.get(slots[0].name()).is_none() => {
            Ok(vec![json_values(&value, family)?])
        }
        Kind::Object(entries) => {
            if let Some((k, _)) = entries
                .iter()
                .find(|(k, _)| !slots.iter().any(|s| s.name() == *k))
            {
                let names: Vec<&str> = slots.iter().map(|s| s.name()).collect();
                return Err(format!(
                    "unknown key {} (keys: {})",
                    quoted(k),
                    names.join(", ")
                ));
            }
            slots
                .iter()
                .map(|s| {
                    let v = value
                        .get(s.name())
                        .ok_or_else(|| format!("missing key '{}'", s.name()))?;
                    json_values(v, family).map_err(|m| format!("{}: {m}", s.name()))
                })
                .collect()
        }
        _ => Err(format!(
            "expected a JSON array or object, found {}",
            shown(&value.text)
        )),
    }
}

/// A key as quoted in a message: on one line, whatever it holds.
fn quoted(key: &str) -> String {
    format!("'{}'", shown(key).escape_debug())
}

/// At most the first 40 characters of `text` (a message quoting a 10 MB string would be a
/// 10 MB line).
fn shown(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A JSON value as written in a record: numbers keep their text (so they are read exactly,
/// as decimals, never rounded through a double), objects every key in order. serde_json
/// reads the line; its `Value` would keep only the last of a repeated key and round
/// numbers, so each level is taken as raw text and read again one level down.
struct Json {
    /// The value's text in the line (for messages).
    text: String,
    kind: Kind,
}

enum Kind {
    Number,
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// `true`, `false` or `null`.
    Literal,
}

/// Deeper nesting than this is refused (a record needs two levels).
const MAX_JSON_DEPTH: usize = 32;

/// The members of a JSON object in order, repeated keys included.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    members.push((key, map.next_value()?));
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visit)
    }
}

impl Json {
    /// The whole of `line` as one JSON value; a key given twice in an object, at any level,
    /// is an error naming it.
    fn parse(line: &str) -> Result<Json, String> {
        let raw: Box<RawValue> =
            serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        Json::read(&raw, 0, None)
    }

    /// `raw` (already checked to be JSON) one level down; `within` is the key of the object
    /// member it is the value of (for messages).
    fn read(raw: &RawValue, depth: usize, within: Option<&str>) -> Result<Json, String> {
        let text = raw.get();
        let nested = || -> Result<(), String> {
            if depth >= MAX_JSON_DEPTH {
                return Err("not JSON: nested too deeply".into());
            }
            Ok(())
        };
        // The text was read whole once, so reading a part of it again cannot fail.
        let again = |e: serde_json::Error| format!("not JSON: {e}");
        let kind = match text.as_bytes().first() {
            Some(b'{') => {
                nested()?;
                let Members(members) = serde_json::from_str(text).map_err(again)?;
                let mut entries: Vec<(String, Json)> = Vec::with_capacity(members.len());
                let mut keys = std::collections::HashSet::new();
                for (key, value) in members {
                    if !keys.insert(key.clone()) {
                        return Err(match within {
                            Some(w) => format!("duplicate key {} in {}", quoted(&key), quoted(w)),
                            None => format!("duplicate key {}", quoted(&key)),
                        });
                    }
                    let value = Json::read(&value, depth + 1, Some(&key))?;
                    entries.push((key, value));
                }
                Kind::Object(entries)
            }
            Some(b'[') => {
                nested()?;
                let items: Vec<Box<RawValue>> = serde_json::from_str(text).map_err(again)?;
                Kind::Array(
                    items
                        .iter()
                        .map(|item| Json::read(item, depth + 1, within))
                        .collect::<Result<_, _>>()?,
                )
            }
            Some(b'"') => Kind::String(serde_json::from_str(text).map_err(again)?),
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            _ => Kind::Literal,
        };
        Ok(Json {
            text: text.to_string(),
            kind,
        })
    }

    /// The value of `key`, when `self` is an object that has it.
    fn get(&self, key: &str) -> Option<&Json> {
        match &self.kind {
            Kind::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Computes every record with `compute` and prints its answer (`--json`: the JSON object).
/// A record from flags is computed alone and its failure is the command's. Records from
/// `--points` are computed on all cores, each thread with its own clone of `context`, one
/// line per record in input order; a record that fails prints `error: …` (or
/// `{"line": …, "error": …}`) in its place, and the command then fails with exit status 2
/// after printing every line.
pub fn run<C, F>(records: &Records, context: C, json: bool, compute: F) -> Result<String, Failure>
where
    C: Clone + Send,
    F: Fn(&mut C, &Record) -> Result<Answer, Failure> + Sync,
{
    let print = |a: Answer| if json { a.json.to_string() } else { a.text };
    if records.from_flags {
        let mut context = context;
        return compute(&mut context, &records.list[0]).map(print);
    }
    let records = &records.list;
    let prototype = Mutex::new(context);
    let answers: Vec<Result<Answer, Failure>> = records
        .par_iter()
        .map_init(
            || prototype.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            |c, r| compute(c, r),
        )
        .collect();
    let mut lines = Vec::with_capacity(answers.len());
    let mut failed: Option<(usize, String)> = None;
    let mut failures = 0;
    for (record, answer) in records.iter().zip(answers) {
        lines.push(match answer {
            Ok(a) => print(a),
            Err(f) => {
                failures += 1;
                failed.get_or_insert((record.line, f.message().to_string()));
                if json {
                    json!({ "line": record.line, "error": f.message() }).to_string()
                } else {
                    format!("error: {}", f.message())
                }
            }
        });
    }
    let output = lines.join("\n");
    match failed {
        None => Ok(output),
        Some((line, message)) => Err(Failure::input(format!(
            "{failures} of {} records failed (the first, line {line}: {message})",
            records.len()
        ))
        .with_output(output)),
    }
}
