//! Discord's own contract, for checking what the adapter sends and what a test server
//! answers: the request and response schemas of the routes Quarterdeck uses, extracted
//! from Discord's official OpenAPI spec (MIT; see `fixtures/extract.py`), and a small
//! JSON-Schema validator for the subset of keywords that spec uses (`type`, `$ref`,
//! `properties`, `required`, `additionalProperties`, `items`, `oneOf`/`anyOf`/`allOf`,
//! `const`, `enum`, lengths, item and property counts, bounds, `pattern` of snowflakes).
//!
//! Discord accepts an integer where the spec writes a snowflake string (serenity sends
//! some ids as integers), so a non-negative integer passes as a snowflake.

use std::sync::OnceLock;

use serde_json::{Map, Value};

static SUBSET: &str = include_str!("../fixtures/discord-openapi-subset.json");

pub struct Spec {
    routes: Map<String, Value>,
    schemas: Map<String, Value>,
}

/// One way a JSON value breaks the schema, with the JSON path where it does.
pub type Violation = String;

impl Spec {
    /// The bundled subset of the spec, parsed once.
    pub fn bundled() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let mut all: Map<String, Value> =
                serde_json::from_str(SUBSET).expect("the bundled spec subset is valid JSON");
            let take = |all: &mut Map<String, Value>, k: &str| match all.remove(k) {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            Spec {
                routes: take(&mut all, "routes"),
                schemas: take(&mut all, "schemas"),
            }
        })
    }

    /// The routes the subset knows, as `METHOD /route`.
    pub fn routes(&self) -> impl Iterator<Item = &str> {
        self.routes.keys().map(String::as_str)
    }

    /// Checks a request body against the route's request schema.
    pub fn check_request(
        &self,
        method: &str,
        route: &str,
        body: &Value,
    ) -> Result<(), Vec<Violation>> {
        let key = format!("{} {route}", method.to_ascii_uppercase());
        let schema = self
            .routes
            .get(&key)
            .and_then(|r| r.get("request"))
            .ok_or_else(|| vec![format!("{key}: not a route of the bundled spec")])?;
        self.check(schema, body)
    }

    /// Checks a success response body against the route's schema for `status`.
    pub fn check_response(
        &self,
        method: &str,
        route: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Vec<Violation>> {
        let key = format!("{} {route}", method.to_ascii_uppercase());
        let schema = self
            .routes
            .get(&key)
            .and_then(|r| r.get("responses"))
            .and_then(|r| r.get(status.to_string()))
            .ok_or_else(|| vec![format!("{key}: no {status} response in the bundled spec")])?;
        if schema.is_null() {
            return Ok(());
        }
        self.check(schema, body)
    }

    /// Checks `value` against the named component schema (e.g. `MessageResponse`).
    pub fn check_schema(&self, name: &str, value: &Value) -> Result<(), Vec<Violation>> {
        let schema = self
            .schemas
            .get(name)
            .ok_or_else(|| vec![format!("no schema {name} in the bundled spec")])?;
        self.check(schema, value)
    }

    fn check(&self, schema: &Value, value: &Value) -> Result<(), Vec<Violation>> {
        let mut errors = Vec::new();
        self.walk(schema, value, "$", &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn walk(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<Violation>) {
        let Some(s) = schema.as_object() else {
            return;
        };
        if let Some(Value::String(r)) = s.get("$ref") {
            let name = r.rsplit('/').next().unwrap_or_default();
            if name == "SnowflakeType" && v.as_u64().is_some() {
                return;
            }
            match self.schemas.get(name) {
                Some(target) => self.walk(target, v, at, errors),
                None => errors.push(format!("{at}: unknown schema {r}")),
            }
        }
        if let Some(t) = s.get("type") {
            let allowed: Vec<&str> = match t {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.iter().any(|t| type_matches(t, v)) {
                errors.push(format!(
                    "{at}: expected {}, found {}",
                    allowed.join(" or "),
                    kind(v)
                ));
                return;
            }
        }
        if let Some(c) = s.get("const")
            && c != v
        {
            errors.push(format!("{at}: expected {c}, found {v}"));
        }
        if let Some(Value::Array(options)) = s.get("enum")
            && !options.contains(v)
        {
            errors.push(format!(
                "{at}: {v} is not one of {}",
                Value::Array(options.clone())
            ));
        }
        self.combinators(s, v, at, errors);
        match v {
            Value::String(text) => string_rules(s, text, at, errors),
            Value::Number(n) => number_rules(s, n.as_f64().unwrap_or(f64::NAN), at, errors),
            Value::Array(items) => self.array_rules(s, items, at, errors),
            Value::Object(map) => self.object_rules(s, map, at, errors),
            _ => {}
        }
    }

    fn combinators(
        &self,
        s: &Map<String, Value>,
        v: &Value,
        at: &str,
        errors: &mut Vec<Violation>,
    ) {
        if let Some(Value::Array(all)) = s.get("allOf") {
            for sub in all {
                self.walk(sub, v, at, errors);
            }
        }
        // Several matching `oneOf` branches are accepted: Discord's unions overlap where
        // a branch leaves its discriminating `type` open.
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(branches)) = s.get(key) else {
                continue;
            };
            let outcomes: Vec<Vec<Violation>> = branches
                .iter()
                .map(|b| {
                    let mut e = Vec::new();
                    self.walk(b, v, at, &mut e);
                    e
                })
                .collect();
            if !outcomes.iter().any(Vec::is_empty) {
                // The closest branch is the one whose discriminating `type` matched, if
                // any; the report then names what really differs.
                let discriminator = format!("{at}.type:");
                let typed: Vec<&Vec<Violation>> = outcomes
                    .iter()
                    .filter(|e| !e.iter().any(|v| v.starts_with(&discriminator)))
                    .collect();
                let candidates = if typed.is_empty() {
                    outcomes.iter().collect()
                } else {
                    typed
                };
                let closest = candidates
                    .into_iter()
                    .min_by_key(|e| e.len())
                    .cloned()
                    .unwrap_or_default();
                errors.push(format!(
                    "{at}: matches none of the {key} branches; closest: {}",
                    closest.join("; ")
                ));
            }
        }
    }

    fn array_rules(
        &self,
        s: &Map<String, Value>,
        items: &[Value],
        at: &str,
        errors: &mut Vec<Violation>,
    ) {
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
            && items.len() as u64 > max
        {
            errors.push(format!("{at}: {} items, at most {max}", items.len()));
        }
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            errors.push(format!("{at}: {} items, at least {min}", items.len()));
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, a) in items.iter().enumerate() {
                if items[..i].contains(a) {
                    errors.push(format!("{at}[{i}]: duplicate item {a}"));
                }
            }
        }
        if let Some(item) = s.get("items") {
            for (i, v) in items.iter().enumerate() {
                self.walk(item, v, &format!("{at}[{i}]"), errors);
            }
        }
    }

    fn object_rules(
        &self,
        s: &Map<String, Value>,
        map: &Map<String, Value>,
        at: &str,
        errors: &mut Vec<Violation>,
    ) {
        let props = s.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(required)) = s.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    errors.push(format!("{at}: missing required property `{r}`"));
                }
            }
        }
        if let Some(max) = s.get("maxProperties").and_then(Value::as_u64)
            && map.len() as u64 > max
        {
            errors.push(format!("{at}: {} properties, at most {max}", map.len()));
        }
        for (k, v) in map {
            let path = format!("{at}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(sub) => self.walk(sub, v, &path, errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{path}: property not allowed by the spec"));
                    }
                    Some(sub @ Value::Object(_)) => self.walk(sub, v, &path, errors),
                    _ => {}
                },
            }
        }
    }
}

fn string_rules(s: &Map<String, Value>, text: &str, at: &str, errors: &mut Vec<Violation>) {
    let len = text.chars().count() as u64;
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        errors.push(format!("{at}: {len} characters, at most {max}"));
    }
    if let Some(min) = s.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        errors.push(format!("{at}: {len} characters, at least {min}"));
    }
    // The only pattern in the routes used is the snowflake's.
    if s.get("pattern").is_some() && !(text == "0" || is_snowflake(text)) {
        errors.push(format!("{at}: `{text}` is not a snowflake id"));
    }
}

fn number_rules(s: &Map<String, Value>, n: f64, at: &str, errors: &mut Vec<Violation>) {
    if let Some(max) = s.get("maximum").and_then(Value::as_f64)
        && n > max
    {
        errors.push(format!("{at}: {n} is above the maximum {max}"));
    }
    if let Some(min) = s.get("minimum").and_then(Value::as_f64)
        && n < min
    {
        errors.push(format!("{at}: {n} is below the minimum {min}"));
    }
}

/// A Discord id: decimal digits without a leading zero.
pub fn is_snowflake(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('0')
        && text.len() <= 20
        && text.chars().all(|c| c.is_ascii_digit())
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        // JSON Schema counts a number with a zero fractional part as an integer (poise
        // sends an integer option's bounds as `1.0`; Discord accepts them).
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
