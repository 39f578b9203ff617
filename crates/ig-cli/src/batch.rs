//! Many records at once (`--points FILE`, `-` for standard input): one record per line, as
//! CSV (the numbers of its slots in order) or a JSON line; the answers in the same order,
//! one line each, computed on every core. Each record is computed alone, so the output is
//! the same on any number of threads.

use crate::family::{in_family, parse_point, parse_vector};
use crate::Failure;
use ig_expr::{parse_decimal, BigRational};
use ig_spec::Family;
use rayon::prelude::*;
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

/// Reads the records of `source` (a path, or `-` for standard input). Blank lines and lines
/// starting with `#` are skipped; the first other line may be a header (its first field not
/// a number). Any malformed record is bad input naming its line, before anything is computed.
fn read(source: &str, family: &Family, slots: &[Slot]) -> Result<Vec<Record>, Failure> {
    use std::io::Read;
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().take(MAX_BYTES).read_to_string(&mut text)
    } else {
        std::fs::File::open(source).and_then(|f| f.take(MAX_BYTES).read_to_string(&mut text))
    };
    let label = if source == "-" {
        "standard input"
    } else {
        source
    };
    read.map_err(|e| Failure::input(format!("{label}: {e}")))?;
    if text.len() as u64 >= MAX_BYTES {
        return Err(Failure::input(format!(
            "{label}: more than {MAX_BYTES} bytes of points"
        )));
    }
    let mut records = Vec::new();
    let mut header_allowed = true;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first_is_number = line
            .split(',')
            .next()
            .is_some_and(|f| parse_decimal(f.trim()).is_some());
        if std::mem::take(&mut header_allowed) && !line.starts_with(['{', '[']) && !first_is_number
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

fn number(text: &str) -> Result<BigRational, String> {
    parse_decimal(text).ok_or_else(|| format!("'{text}' is not a decimal number"))
}

fn csv_record(
    line: &str,
    family: &Family,
    slots: &[Slot],
) -> Result<Vec<Vec<BigRational>>, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let n = family.coordinates.len();
    if fields.len() != n * slots.len() {
        return Err(format!(
            "expected {}, found {} fields",
            expected(family, slots),
            fields.len()
        ));
    }
    let values = fields
        .iter()
        .map(|f| number(f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(values.chunks(n).map(<[BigRational]>::to_vec).collect())
}

/// A JSON number or decimal string, exactly as written (a double prints its shortest form).
fn json_number(v: &Value) -> Result<BigRational, String> {
    match v {
        Value::Number(x) => number(&x.to_string()),
        Value::String(s) => number(s.trim()),
        other => Err(format!("expected a number, found {other}")),
    }
}

/// One slot's values: an array in coordinate order, or an object with every coordinate once.
fn json_values(v: &Value, family: &Family) -> Result<Vec<BigRational>, String> {
    let n = family.coordinates.len();
    match v {
        Value::Array(items) if items.len() == n => items.iter().map(json_number).collect(),
        Value::Array(items) => Err(format!("expected {n} numbers, found {}", items.len())),
        Value::Object(map) => {
            if let Some(k) = map.keys().find(|k| !family.coordinates.contains(k)) {
                return Err(format!(
                    "unknown coordinate '{k}' (coordinates: {})",
                    family.coordinates.join(", ")
                ));
            }
            family
                .coordinates
                .iter()
                .map(|c| {
                    json_number(
                        map.get(c)
                            .ok_or_else(|| format!("missing coordinate '{c}'"))?,
                    )
                })
                .collect()
        }
        other => Err(format!(
            "expected an array or object of coordinates, found {other}"
        )),
    }
}

fn json_record(
    line: &str,
    family: &Family,
    slots: &[Slot],
) -> Result<Vec<Vec<BigRational>>, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    match &value {
        Value::Array(items) => {
            let numbers = items
                .iter()
                .map(json_number)
                .collect::<Result<Vec<_>, _>>()?;
            let n = family.coordinates.len();
            if numbers.len() != n * slots.len() {
                return Err(format!(
                    "expected {}, found {} numbers",
                    expected(family, slots),
                    numbers.len()
                ));
            }
            Ok(numbers.chunks(n).map(<[BigRational]>::to_vec).collect())
        }
        // A record of one slot may be the coordinates themselves.
        Value::Object(map) if slots.len() == 1 && !map.contains_key(slots[0].name()) => {
            Ok(vec![json_values(&value, family)?])
        }
        Value::Object(map) => {
            if let Some(k) = map.keys().find(|k| !slots.iter().any(|s| s.name() == *k)) {
                let names: Vec<&str> = slots.iter().map(|s| s.name()).collect();
                return Err(format!("unknown key '{k}' (keys: {})", names.join(", ")));
            }
            slots
                .iter()
                .map(|s| {
                    let v = map
                        .get(s.name())
                        .ok_or_else(|| format!("missing key '{}'", s.name()))?;
                    json_values(v, family).map_err(|m| format!("{}: {m}", s.name()))
                })
                .collect()
        }
        other => Err(format!("expected a JSON array or object, found {other}")),
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
