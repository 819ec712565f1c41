//! Multi-touch attribution of conversions and conversion value to channels, by seven
//! models: first, last, linear, time decay, position-based (see `rules`), Shapley (see
//! `shapley`) and an exact Markov chain of order 1-4 (see `markov`). The definitions
//! follow `quarterdeck analyze attribution` in docs/contracts/analyses-cli.md.
//!
//! Input is either aggregated paths (ChannelAttribution's interchange format) or
//! touch-level journeys; touches after a journey's conversion do not count, and a
//! conversion with no touch before it has no channel to credit and is left out of the
//! totals. Journeys without conversions only feed the Markov chain (as nulls). Every
//! model's credits sum to the totals; channels are listed by name, each in every model.

mod markov;
mod rules;
mod shapley;

use crate::hash::FxMap;

use serde::{Deserialize, Serialize};

use rules::{RULES, Rule};

/// An aggregated journey: channels in order, with its conversions, value and nulls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub channels: Vec<String>,
    pub conversions: f64,
    pub value: f64,
    pub nulls: f64,
}

/// A touch-level journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journey {
    pub id: String,
    pub touches: Vec<Touch>,
    pub conversion: Option<Conversion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touch {
    pub at_seconds: i64,
    pub channel: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    pub at_seconds: i64,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Time-decay half-life: touches (path input) or days (journey input).
    pub half_life: f64,
    /// Markov chain order, 1 to 4.
    pub markov_order: usize,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            half_life: 7.0,
            markov_order: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credit {
    pub channel: String,
    pub conversions: f64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Models {
    pub first: Vec<Credit>,
    pub last: Vec<Credit>,
    pub linear: Vec<Credit>,
    pub time_decay: Vec<Credit>,
    pub position: Vec<Credit>,
    pub shapley: Vec<Credit>,
    pub markov: Vec<Credit>,
}

/// Where the models disagree about a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub channel: String,
    /// Highest minus lowest conversion credit across the seven models.
    pub spread: f64,
    /// Last-touch credit minus the mean of the Shapley and Markov credits: positive when
    /// last touch over-credits the channel.
    pub last_touch_error: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub total_conversions: f64,
    pub total_value: f64,
    pub models: Models,
    /// Markov removal effects per channel (conversions and value), each in [0, 1].
    pub removal_effects: Vec<Credit>,
    /// Channels by how much last touch misjudges them, largest first.
    pub disagreement: Vec<Disagreement>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributionError {
    #[error("markov order must be 1 to 4, found {0}")]
    BadOrder(usize),
    #[error("time-decay half-life must be a positive number, found {0}")]
    BadHalfLife(String),
    #[error("path {index}: {problem}")]
    BadPath { index: usize, problem: String },
    #[error("more than 65,535 channels")]
    TooManyChannels,
    #[error("the Markov chain did not converge")]
    NotConverged,
}

/// A path with interned channel ids and the distances of its touches.
pub(crate) struct AggPath {
    pub seq: Vec<u16>,
    pub conversions: f64,
    pub value: f64,
    pub nulls: f64,
}

/// Aggregated paths with interned channels, built one row at a time: the way in for
/// large files, with no allocation per row once a path has been seen. Rows with the
/// same channel sequence are summed; paths keep the order they were first seen in.
#[derive(Default)]
pub struct PathSet {
    names: Interner,
    /// Path index by packed sequence (up to 15 touches of channels 0..255, one byte
    /// each), the common case: no allocation or slice comparison per row.
    index: FxMap<u128, usize>,
    /// Longer paths, or ids beyond a byte.
    long_index: FxMap<Vec<u16>, usize>,
    paths: Vec<AggPath>,
    scratch: Vec<u16>,
    rows: usize,
}

impl std::fmt::Debug for PathSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathSet")
            .field("rows", &self.rows)
            .field("distinct", &self.paths.len())
            .field("channels", &self.names.names)
            .finish()
    }
}

impl PathSet {
    /// Adds one row: `channels` in order (names are trimmed; none may be empty).
    pub fn add<'s>(
        &mut self,
        channels: impl IntoIterator<Item = &'s str>,
        conversions: f64,
        value: f64,
        nulls: f64,
    ) -> Result<(), AttributionError> {
        let mut seq = std::mem::take(&mut self.scratch);
        seq.clear();
        let mut problem = None;
        for c in channels {
            let c = c.trim();
            if c.is_empty() {
                problem = Some("a channel name is empty".to_owned());
                break;
            }
            match self.names.id(c) {
                Ok(id) => seq.push(id),
                Err(e) => {
                    problem = Some(e.to_string());
                    break;
                }
            }
        }
        let result = match problem {
            None => self.add_ids(&seq, conversions, value, nulls),
            Some(problem) => {
                self.rows += 1;
                Err(AttributionError::BadPath {
                    index: self.rows - 1,
                    problem,
                })
            }
        };
        self.scratch = seq;
        result
    }

    /// The id of channel `name` (trimmed, not empty), for [`add_ids`](Self::add_ids).
    pub fn channel(&mut self, name: &str) -> Result<u16, AttributionError> {
        self.names.id(name)
    }

    /// Channel names by id.
    pub fn channel_names(&self) -> &[String] {
        &self.names.names
    }

    /// Adds one row given channel ids from [`channel`](Self::channel).
    pub fn add_ids(
        &mut self,
        seq: &[u16],
        conversions: f64,
        value: f64,
        nulls: f64,
    ) -> Result<(), AttributionError> {
        let index = self.rows;
        self.rows += 1;
        for (what, x) in [
            ("conversions", conversions),
            ("value", value),
            ("nulls", nulls),
        ] {
            if !x.is_finite() || x < 0.0 {
                return Err(AttributionError::BadPath {
                    index,
                    problem: format!("{what} must be a finite number >= 0, found {x}"),
                });
            }
        }
        if seq.is_empty() {
            return Ok(());
        }
        let next = self.paths.len();
        let i = match pack(seq) {
            Some(key) => *self.index.entry(key).or_insert(next),
            None => match self.long_index.get(seq) {
                Some(i) => *i,
                None => *self.long_index.entry(seq.to_vec()).or_insert(next),
            },
        };
        if i == next {
            self.paths.push(AggPath {
                seq: seq.to_vec(),
                conversions: 0.0,
                value: 0.0,
                nulls: 0.0,
            });
        }
        let p = &mut self.paths[i];
        p.conversions += conversions;
        p.value += value;
        p.nulls += nulls;
        Ok(())
    }

    /// A set expecting about `rows` rows (saves rehashing on large files).
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            index: FxMap::with_capacity_and_hasher(rows, Default::default()),
            paths: Vec::with_capacity(rows),
            ..Self::default()
        }
    }

    /// Adds every row of `other` (built from another part of the same input) as if it
    /// had been added here, after this set's rows.
    pub fn merge(&mut self, other: PathSet) -> Result<(), AttributionError> {
        let PathSet {
            names, paths, rows, ..
        } = other;
        let ids = names
            .names
            .iter()
            .map(|n| self.names.id(n))
            .collect::<Result<Vec<u16>, _>>()?;
        let base = self.rows;
        let mut seq = Vec::new();
        for p in paths {
            seq.clear();
            seq.extend(p.seq.iter().map(|c| ids[usize::from(*c)]));
            self.add_ids(&seq, p.conversions, p.value, p.nulls)?;
        }
        self.rows = base + rows;
        Ok(())
    }

    /// Distinct non-empty paths so far.
    pub fn distinct(&self) -> usize {
        self.paths.len()
    }

    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// A sequence as one number: byte i holds channel id + 1, so distinct sequences (of up
/// to 15 touches, ids below 255) give distinct keys.
fn pack(seq: &[u16]) -> Option<u128> {
    if seq.len() > 15 {
        return None;
    }
    seq.iter().try_fold(0u128, |key, c| {
        (*c < 255).then(|| key << 8 | u128::from(*c + 1))
    })
}

/// Attribution of aggregated paths (distances for time decay in touches).
pub fn attribute_paths(paths: &[Path], params: &Params) -> Result<Attribution, AttributionError> {
    let mut set = PathSet::default();
    for p in paths {
        set.add(
            p.channels.iter().map(String::as_str),
            p.conversions,
            p.value,
            p.nulls,
        )?;
    }
    attribute_path_set(set, params)
}

/// Attribution of a [`PathSet`] (distances for time decay in touches).
pub fn attribute_path_set(set: PathSet, params: &Params) -> Result<Attribution, AttributionError> {
    check_params(params)?;
    let PathSet { names, paths, .. } = set;
    let mut rules = RuleCredits::new(names.len());
    let mut distances = Vec::new();
    for p in paths
        .iter()
        .filter(|p| p.conversions > 0.0 || p.value > 0.0)
    {
        let n = p.seq.len();
        distances.clear();
        distances.extend((0..n).map(|i| (n - 1 - i) as f64));
        rules.add(&p.seq, &distances, params.half_life, p.conversions, p.value);
    }
    finish(names, paths, rules, params)
}

/// Attribution of touch-level journeys (distances for time decay in days).
pub fn attribute_journeys(
    journeys: &[Journey],
    params: &Params,
) -> Result<Attribution, AttributionError> {
    check_params(params)?;
    let mut names = Interner::default();
    let mut agg: FxMap<Vec<u16>, (f64, f64, f64)> = FxMap::default();
    let mut rules = RuleCredits::new(0);
    // Scratch buffers reused across journeys: no allocation per journey on the hot path.
    let (mut touches, mut seq, mut days): (Vec<&Touch>, Vec<u16>, Vec<f64>) =
        (Vec::new(), Vec::new(), Vec::new());
    for (index, j) in journeys.iter().enumerate() {
        if let Some(c) = j
            .conversion
            .filter(|c| !c.value.is_finite() || c.value < 0.0)
        {
            return Err(AttributionError::BadPath {
                index,
                problem: format!("conversion value must be >= 0, found {}", c.value),
            });
        }
        touches.clear();
        touches.extend(
            j.touches
                .iter()
                .filter(|t| j.conversion.is_none_or(|c| t.at_seconds <= c.at_seconds)),
        );
        if touches.is_empty() {
            continue;
        }
        if !touches.is_sorted_by_key(|t| t.at_seconds) {
            touches.sort_by_key(|t| t.at_seconds);
        }
        seq.clear();
        for t in &touches {
            seq.push(names.id(&t.channel)?);
        }
        rules.ensure(names.len());
        let (conv, value, null) = match j.conversion {
            Some(c) => {
                days.clear();
                days.extend(
                    touches
                        .iter()
                        .map(|t| (c.at_seconds - t.at_seconds) as f64 / 86_400.0),
                );
                rules.add(&seq, &days, params.half_life, 1.0, c.value);
                (1.0, c.value, 0.0)
            }
            None => (0.0, 0.0, 1.0),
        };
        let e = match agg.get_mut(seq.as_slice()) {
            Some(e) => e,
            None => agg.entry(seq.clone()).or_insert((0.0, 0.0, 0.0)),
        };
        e.0 += conv;
        e.1 += value;
        e.2 += null;
    }
    rules.ensure(names.len());
    let paths = agg
        .into_iter()
        .map(|(seq, (conversions, value, nulls))| AggPath {
            seq,
            conversions,
            value,
            nulls,
        })
        .collect();
    finish(names, paths, rules, params)
}

fn check_params(params: &Params) -> Result<(), AttributionError> {
    if !(1..=4).contains(&params.markov_order) {
        return Err(AttributionError::BadOrder(params.markov_order));
    }
    if !(params.half_life.is_finite() && params.half_life > 0.0) {
        return Err(AttributionError::BadHalfLife(params.half_life.to_string()));
    }
    Ok(())
}

#[derive(Default)]
struct Interner {
    ids: FxMap<String, u16>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> Result<u16, AttributionError> {
        let name = name.trim();
        if let Some(id) = self.ids.get(name) {
            return Ok(*id);
        }
        let id = u16::try_from(self.names.len()).map_err(|_| AttributionError::TooManyChannels)?;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        Ok(id)
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

/// Conversion and value credits of the five rule models.
struct RuleCredits {
    conv: Vec<Vec<f64>>,
    value: Vec<Vec<f64>>,
}

impl RuleCredits {
    fn new(channels: usize) -> Self {
        Self {
            conv: vec![vec![0.0; channels]; RULES.len()],
            value: vec![vec![0.0; channels]; RULES.len()],
        }
    }

    /// Makes room for `channels` channels (journeys meet new channels as they go).
    fn ensure(&mut self, channels: usize) {
        for v in self.conv.iter_mut().chain(self.value.iter_mut()) {
            if v.len() < channels {
                v.resize(channels, 0.0);
            }
        }
    }

    fn add(
        &mut self,
        seq: &[u16],
        distances: &[f64],
        half_life: f64,
        conversions: f64,
        value: f64,
    ) {
        for (i, rule) in RULES.iter().enumerate() {
            rules::spread(
                *rule,
                seq,
                distances,
                half_life,
                conversions,
                &mut self.conv[i],
            );
            rules::spread(*rule, seq, distances, half_life, value, &mut self.value[i]);
        }
    }

    fn credits(&self, rule: Rule, names: &[String], order: &[usize]) -> Vec<Credit> {
        let i = RULES.iter().position(|r| *r == rule).unwrap_or(0);
        credits(names, order, &self.conv[i], &self.value[i])
    }
}

fn credits(names: &[String], order: &[usize], conv: &[f64], value: &[f64]) -> Vec<Credit> {
    order
        .iter()
        .map(|c| Credit {
            channel: names[*c].clone(),
            conversions: conv[*c],
            value: value[*c],
        })
        .collect()
}

fn finish(
    names: Interner,
    paths: Vec<AggPath>,
    rules: RuleCredits,
    params: &Params,
) -> Result<Attribution, AttributionError> {
    // The deterministic hasher keeps `paths` in the same order on every run.
    let n = names.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| names.names[*a].cmp(&names.names[*b]));
    let converting = paths
        .iter()
        .filter(|p| p.conversions > 0.0 || p.value > 0.0);
    let total_conversions: f64 = converting.clone().map(|p| p.conversions).sum();
    let total_value: f64 = converting.map(|p| p.value).sum();

    let (mut sh_conv, mut sh_value) = (vec![0.0; n], vec![0.0; n]);
    let mut set = Vec::new();
    for p in paths
        .iter()
        .filter(|p| p.conversions > 0.0 || p.value > 0.0)
    {
        set.clear();
        set.extend_from_slice(&p.seq);
        set.sort_unstable();
        set.dedup();
        shapley::spread(&set, p.conversions, p.value, &mut sh_conv, &mut sh_value);
    }
    let markov = markov::removal_effects(&paths, params.markov_order, n)?;
    let (re_conv, re_value): (Vec<f64>, Vec<f64>) = markov.removal.iter().copied().unzip();
    let share = |re: &[f64], total: f64| -> Vec<f64> {
        let sum: f64 = re.iter().sum();
        re.iter()
            .map(|r| if sum > 0.0 { total * r / sum } else { 0.0 })
            .collect()
    };
    let mk_conv = share(&re_conv, total_conversions);
    let mk_value = share(&re_value, total_value);
    let names_v = &names.names;
    let models = Models {
        first: rules.credits(Rule::First, names_v, &order),
        last: rules.credits(Rule::Last, names_v, &order),
        linear: rules.credits(Rule::Linear, names_v, &order),
        time_decay: rules.credits(Rule::TimeDecay, names_v, &order),
        position: rules.credits(Rule::Position, names_v, &order),
        shapley: credits(names_v, &order, &sh_conv, &sh_value),
        markov: credits(names_v, &order, &mk_conv, &mk_value),
    };
    let disagreement = disagreement(&models);
    Ok(Attribution {
        total_conversions,
        total_value,
        removal_effects: credits(names_v, &order, &re_conv, &re_value),
        models,
        disagreement,
    })
}

fn disagreement(m: &Models) -> Vec<Disagreement> {
    let all = [
        &m.first,
        &m.last,
        &m.linear,
        &m.time_decay,
        &m.position,
        &m.shapley,
        &m.markov,
    ];
    let mut out: Vec<Disagreement> = (0..m.first.len())
        .map(|i| {
            let credits: Vec<f64> = all.iter().map(|model| model[i].conversions).collect();
            let hi = credits.iter().copied().fold(f64::MIN, f64::max);
            let lo = credits.iter().copied().fold(f64::MAX, f64::min);
            Disagreement {
                channel: m.first[i].channel.clone(),
                spread: hi - lo,
                last_touch_error: m.last[i].conversions
                    - (m.shapley[i].conversions + m.markov[i].conversions) / 2.0,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.last_touch_error
            .abs()
            .total_cmp(&a.last_touch_error.abs())
            .then_with(|| a.channel.cmp(&b.channel))
    });
    out
}
