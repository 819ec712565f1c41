//! The layers of configuration: TOML documents merged table by table, then
//! `QUARTERDECK_SECTION__KEY` environment variables applied on top.

use super::ConfigError;

const ENV_PREFIX: &str = "QUARTERDECK_";

pub(super) fn parse_toml(text: &str, origin: &str) -> Result<toml::Value, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: origin.to_owned(),
        message: e.to_string(),
    })
}

/// Deep-merges `top` into `base`: tables merge key by key, everything else replaces.
pub(super) fn merge(base: &mut toml::Value, top: toml::Value) {
    match (base, top) {
        (toml::Value::Table(b), toml::Value::Table(t)) => {
            for (k, v) in t {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, t) => *b = t,
    }
}

/// A team block states only what differs from the defaults: each `[[teams]]` of `top`
/// is laid over the built-in team (tables key by key, lists replaced), so a config
/// with `name` and `data_dir` alone is a whole team.
pub(super) fn complete_teams(defaults: &toml::Value, top: &mut toml::Value) {
    let Some(template) = defaults
        .get("teams")
        .and_then(|t| t.as_array())
        .and_then(|t| t.first())
    else {
        return;
    };
    let Some(teams) = top.get_mut("teams").and_then(|t| t.as_array_mut()) else {
        return;
    };
    for team in teams.iter_mut() {
        let mut full = template.clone();
        merge(
            &mut full,
            std::mem::replace(team, toml::Value::Boolean(false)),
        );
        *team = full;
    }
}

/// `QUARTERDECK_TEAMS__0__TIMEZONE=Europe/Berlin` sets `teams[0].timezone`.
fn apply_env(root: &mut toml::Value, var: &str, path: &str, raw: &str) -> Result<(), ConfigError> {
    let env_err = |message: String| ConfigError::Env {
        var: var.to_owned(),
        message,
    };
    let segments: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
    if segments.iter().any(String::is_empty) {
        return Err(env_err("expected QUARTERDECK_SECTION__KEY".into()));
    }
    let value = parse_env_value(raw);
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match node {
            toml::Value::Table(t) => {
                if last {
                    t.insert(seg.clone(), value);
                    return Ok(());
                }
                t.entry(seg.clone())
                    .or_insert_with(|| toml::Value::Table(toml::map::Map::new()))
            }
            toml::Value::Array(a) => {
                let idx: usize = seg.parse().map_err(|_| {
                    env_err(format!("expected a list index at `{seg}`, found a name"))
                })?;
                let len = a.len();
                let slot = a.get_mut(idx).ok_or_else(|| {
                    env_err(format!("index {idx} is out of range (the list has {len})"))
                })?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            _ => return Err(env_err(format!("`{seg}` is not inside a table"))),
        };
    }
    Ok(())
}

/// Environment values are TOML when they parse as TOML (numbers, booleans, arrays),
/// otherwise plain strings.
fn parse_env_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

/// Applies every `QUARTERDECK_…` variable of `env` to `root`; returns the others.
pub(super) fn apply_env_vars(
    root: &mut toml::Value,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut rest = Vec::new();
    for (var, value) in env {
        match var.strip_prefix(ENV_PREFIX) {
            Some(path) => apply_env(root, &var, path, &value)?,
            None => rest.push((var, value)),
        }
    }
    Ok(rest)
}
