//! docs/records.md's field tables are generated from `sysnoop schema`, the one
//! description of each record (src/schema.rs and each kind's `Record::schema`): between
//! `<!-- fields:KIND -->` and `<!-- /fields:KIND -->` is the table this renders from
//! KIND's schema, every field in its record's order with its type and description. This
//! test fails, naming the kinds whose table is stale, when one differs; with
//! `SYSNOOP_UPDATE_DOCS=1` (`scripts/gen-docs`) it writes them instead. Needs no root.

use serde_json::Value;

const RECORDS_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/records.md");

/// Every record kind's schema, in `sysnoop schema`'s order.
fn schemas() -> Vec<(String, Value)> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sysnoop")).arg("schema").output().unwrap();
    assert!(out.status.success(), "sysnoop schema: {}", String::from_utf8_lossy(&out.stderr));
    let document: Value = serde_json::from_slice(&out.stdout).unwrap();
    document["$defs"].as_object().unwrap().iter().map(|(kind, schema)| (kind.clone(), schema.clone())).collect()
}

/// `a`, `a or b`, `a, b or c`.
fn either(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A JSON value as a literal in Markdown: `"open"`, `true`.
fn literal(value: &Value) -> String {
    format!("`{value}`")
}

/// What a schema admits, for people: `integer (≥ 0)`, `string or null`, `array of
/// strings`, `"open"` for a const, `one of "a", "b"` for an enum.
fn type_of(schema: &Value) -> String {
    if let Some(value) = schema.get("const") {
        return literal(value);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return format!("one of {}", values.iter().map(literal).collect::<Vec<_>>().join(", "));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().map(|t| t.as_str().unwrap()).collect(),
        other => panic!("a schema without a type: {other}"),
    };
    let mut qualifiers = Vec::new();
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        qualifiers.push(format.to_owned());
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        qualifiers.push(format!("pattern `{pattern}`"));
    }
    match (schema.get("minimum"), schema.get("maximum")) {
        (Some(min), Some(max)) => qualifiers.push(format!("{min} to {max}")),
        (Some(min), None) => qualifiers.push(format!("≥ {min}")),
        (None, Some(max)) => qualifiers.push(format!("≤ {max}")),
        (None, None) => {}
    }
    let mut words: Vec<String> = types
        .iter()
        .filter(|&&t| t != "null")
        .map(|&t| match t {
            "array" => {
                let items = type_of(&schema["items"]);
                // `string (uuid)` -> `array of strings (uuid)`.
                match items.split_once(' ').unwrap_or((&items, "")) {
                    (ty @ ("string" | "integer" | "number" | "boolean" | "object" | "array"), rest) => format!("array of {ty}s {rest}").trim_end().to_owned(),
                    _ => format!("array of: {items}"),
                }
            }
            _ => t.to_owned(),
        })
        .collect();
    if !qualifiers.is_empty() {
        let last = words.last_mut().unwrap();
        *last = format!("{last} ({})", qualifiers.join(", "));
    }
    if types.contains(&"null") {
        words.push("null".into());
    }
    either(&words)
}

/// One row per field of an object schema, in its order, and after each field that is
/// an object (or holds objects) the rows of its own fields: `filters.pid`, `kinds[].kind`,
/// `counts.<kind>.emitted` (the key named by `propertyNames`' title).
fn rows(schema: &Value, prefix: &str, out: &mut Vec<String>) {
    let required: Vec<&str> = schema["required"].as_array().map(|r| r.iter().map(|f| f.as_str().unwrap()).collect()).unwrap_or_default();
    for (name, field) in schema["properties"].as_object().unwrap() {
        let path = format!("{prefix}{name}");
        let mut ty = type_of(field);
        if !required.contains(&name.as_str()) {
            ty += ", optional";
        }
        let description = field["description"].as_str().unwrap_or_else(|| panic!("{path} has no description"));
        out.push(format!("| `{path}` | {} | {} |", cell(&ty), cell(description)));
        if field.get("properties").is_some() {
            rows(field, &format!("{path}."), out);
        } else if field["items"].get("properties").is_some() {
            rows(&field["items"], &format!("{path}[]."), out);
        } else if field["additionalProperties"].get("properties").is_some() {
            let key = field["propertyNames"]["title"].as_str().unwrap_or("name");
            rows(&field["additionalProperties"], &format!("{path}.<{key}>."), out);
        }
    }
}

/// Text that stays in its table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The table of a record kind's fields, as it stands between its markers.
fn table(schema: &Value) -> String {
    let mut lines = vec!["| field | type | description |".to_owned(), "| --- | --- | --- |".to_owned()];
    rows(schema, "", &mut lines);
    format!("\n{}\n", lines.join("\n"))
}

fn markers(kind: &str) -> (String, String) {
    (format!("<!-- fields:{kind} -->"), format!("<!-- /fields:{kind} -->"))
}

#[test]
fn the_field_tables_of_records_md_are_the_schemas() {
    let schemas = schemas();
    // Fields in their records' order needs serde_json's preserve_order (Cargo.toml).
    let (_, open) = schemas.iter().find(|(kind, _)| kind == "open").unwrap();
    let first: Vec<&String> = open["properties"].as_object().unwrap().keys().take(3).collect();
    assert_eq!(first, ["kind", "time", "session"], "the schema's fields are not in their record's order");

    let mut text = std::fs::read_to_string(RECORDS_MD).unwrap();
    let mut stale = Vec::new();
    for (kind, schema) in &schemas {
        let (open, close) = markers(kind);
        let start = text.find(&open).unwrap_or_else(|| panic!("docs/records.md has no {open}")) + open.len();
        let end = start + text[start..].find(&close).unwrap_or_else(|| panic!("docs/records.md has no {close} after {open}"));
        let table = table(schema);
        if text[start..end] != table {
            text.replace_range(start..end, &table);
            stale.push(kind.as_str());
        }
    }
    // Every table in the file is one of a record kind's.
    const OPEN: &str = "<!-- fields:";
    for (at, _) in text.match_indices(OPEN) {
        let rest = &text[at + OPEN.len()..];
        let kind = &rest[..rest.find(" -->").unwrap()];
        assert!(schemas.iter().any(|(k, _)| k == kind), "docs/records.md has a table of {kind}, which `sysnoop schema` does not list");
    }
    if stale.is_empty() {
        return;
    }
    if std::env::var_os("SYSNOOP_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(RECORDS_MD, text).unwrap();
        eprintln!("docs/records.md: the field tables of {} written", stale.join(", "));
    } else {
        panic!("docs/records.md: the field tables of {} are stale: run scripts/gen-docs", stale.join(", "));
    }
}
