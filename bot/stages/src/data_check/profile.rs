//! One file profiled in a streaming pass (a 1M-row export is never held as strings):
//! the columns it maps, blank and unparseable cells, duplicate rows and keys, the dates
//! it covers, weeks without rows or with a collapsed count, dates after the as-of date,
//! stage dates that go backwards, and the channels it names.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use chrono::{Duration, NaiveDate};

use super::schema::{InputSpec, Kind};
use super::weeks::{self, week_of};
use super::{FileReport, Problem};
use crate::sources::dates::{self, DateOrder, Detector};
use crate::sources::{Col, CsvStream, InputError, ReadOptions, map_channel};

/// What the folder-level checks need besides the report.
#[derive(Debug, Default)]
pub struct Profile {
    pub report: FileReport,
    /// Channel names the file uses (after the team's aliases).
    pub channels: BTreeSet<String>,
    /// Lead ids (`leads.csv` and `deals.csv`, when both are present).
    pub ids: Option<Ids>,
}

/// The lead ids a file names: the set, and each id with its row (for deals).
pub type Ids = (HashSet<String>, Vec<(String, usize)>);

#[derive(Debug, Default, Clone)]
struct Count {
    n: usize,
    first: Option<usize>,
    example: String,
}

impl Count {
    fn add(&mut self, row: usize, example: &str) {
        self.n += 1;
        if self.first.is_none() {
            self.first = Some(row);
            self.example = example.chars().take(60).collect();
        }
    }
}

struct Column {
    name: &'static str,
    header: String,
    kind: Kind,
    required: bool,
    col: Col,
    order: DateOrder,
    blank: Count,
    bad: Count,
    future: Count,
    /// A date column with no filled cell in the first pass's rows: read as ISO, and
    /// the file profiled again with a full detection pass if a cell says otherwise.
    unsettled: bool,
}

/// Sets of values that are already hashes (SipHash of a row's cells) or small dates:
/// one multiply mixes them, where the default hasher would hash them again.
#[derive(Default, Clone, Copy)]
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Fx's multiplier (rustc's FxHasher): odd, well spread high bits.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n as u32));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

impl std::hash::BuildHasher for Mix {
    type Hasher = Mix;

    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

type Seen = HashSet<u64, Mix>;
type Days = HashSet<NaiveDate, Mix>;

/// Rows the first pass reads to find each date column's first filled cell. A column
/// blank that long (a funnel stage few leads reach) is settled by the main pass: ISO
/// unless one of its cells looks like `01-02-2018`, which starts the profile again
/// with a full detection pass. Large files pay for a second pass only in that case.
const FIRST_PASS_ROWS: usize = 10_000;

/// Profiles `bytes` as input `spec`; `Err` when the file cannot be read as CSV at all.
pub fn profile(
    spec: &InputSpec,
    origin: &str,
    bytes: &[u8],
    options: &ReadOptions,
    as_of: NaiveDate,
    collect_ids: bool,
) -> Result<Profile, InputError> {
    let read = |full| profile_pass(spec, origin, bytes, options, as_of, collect_ids, full);
    match read(false)? {
        Some(p) => Ok(p),
        None => Ok(read(true)?.expect("a full detection pass settles every date column")),
    }
}

/// One profile; `None` when a date column the first pass left unsettled turns out to
/// need day-month detection (only when `full_first_pass` is false).
#[allow(clippy::too_many_arguments)]
fn profile_pass(
    spec: &InputSpec,
    origin: &str,
    bytes: &[u8],
    options: &ReadOptions,
    as_of: NaiveDate,
    collect_ids: bool,
    full_first_pass: bool,
) -> Result<Option<Profile>, InputError> {
    let stream = CsvStream::new(origin, bytes)?.with_options(options);
    let mut problems = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut mapping = BTreeMap::new();
    let wide = wide_channels(&stream, spec, options);
    for c in spec.columns {
        if wide.is_some() && matches!(c.name, "channel" | "spend") {
            continue;
        }
        let found = match (
            &wide,
            c.name,
            options.wide.as_ref().and_then(|w| w.date.as_deref()),
        ) {
            (Some(_), "date", Some(h)) => stream.find_header(h),
            _ => stream.find(c.name, c.aliases),
        };
        match found {
            Some(col) => {
                let header = stream.raw_header[col.index()].clone();
                mapping.insert(c.name.to_owned(), header.clone());
                columns.push(Column {
                    name: c.name,
                    header,
                    kind: c.kind,
                    required: c.required,
                    col,
                    order: DateOrder::Iso,
                    blank: Count::default(),
                    bad: Count::default(),
                    future: Count::default(),
                    unsettled: false,
                });
            }
            None if c.required => problems.push(Problem {
                kind: "missing_column".into(),
                count: 1,
                example_row: None,
                detail: format!(
                    "no column for `{}` (tried {}); map it with `columns = {{ {} = \"…\" }}`",
                    c.name,
                    std::iter::once(c.name)
                        .chain(c.aliases.iter().copied())
                        .collect::<Vec<_>>()
                        .join(", "),
                    c.name
                ),
            }),
            None => {}
        }
    }
    if let Some(w) = &wide {
        for (channel, col) in w {
            mapping.insert(
                format!("spend[{channel}]"),
                stream.raw_header[col.index()].clone(),
            );
        }
    }
    let configured = options.date_format.as_deref();
    let cap = if full_first_pass {
        usize::MAX
    } else {
        FIRST_PASS_ROWS
    };
    set_date_orders(origin, bytes, options, &mut columns, cap)?;

    let mut stream = CsvStream::new(origin, bytes)?.with_options(options);
    let key_cols: Vec<Col> = spec
        .key
        .iter()
        .filter_map(|k| {
            if wide.is_some() && *k == "channel" {
                return None;
            }
            columns
                .iter()
                .find(|c| c.name == *k)
                .map(|c| c.col)
                .or_else(|| stream.find(k, &[]))
        })
        .collect();
    let primary = spec
        .date
        .and_then(|d| columns.iter().position(|c| c.name == d))
        .or_else(|| columns.iter().position(|c| c.kind == Kind::Date));
    let ordered: Vec<usize> = spec
        .ordered
        .iter()
        .filter_map(|o| columns.iter().position(|c| c.name == *o))
        .collect();
    // Channels by week only where rows are per channel and week (spend, media).
    let channel_col = columns
        .iter()
        .position(|c| c.kind == Kind::Channel)
        .filter(|_| spec.key.contains(&"channel"));
    let id_col = columns.iter().position(|c| c.name == "lead_id");

    let mut rows = 0usize;
    // Sized for the file's lines up front: growing a million-entry set rehashes it.
    // A file with a key keeps one entry per row (key -> the first row with it): a row
    // repeated cell for cell repeats its key too, so only rows sharing a key are
    // compared whole (`repeats`); rows with a blank key cell go to `seen_rows`.
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    let keyed = !key_cols.is_empty();
    let mut seen_rows: Seen =
        Seen::with_capacity_and_hasher(if keyed { 0 } else { lines }, Mix::default());
    let mut seen_keys: HashMap<u64, u64, Mix> =
        HashMap::with_capacity_and_hasher(if keyed { lines } else { 0 }, Mix::default());
    let mut repeats: HashSet<(u64, u64), Mix> = HashSet::default();
    let (mut dup_rows, mut dup_keys, mut backwards) =
        (Count::default(), Count::default(), Count::default());
    let mut weekly: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut channel_weeks: HashMap<String, BTreeSet<NaiveDate>> = HashMap::new();
    let mut range: Option<(NaiveDate, NaiveDate)> = None;
    let mut days_seen: Days = Days::default();
    let mut channels = BTreeSet::new();
    let mut ids = collect_ids.then(|| (HashSet::new(), Vec::new()));
    let mut stage_days: Vec<Option<NaiveDate>> = vec![None; ordered.len()];
    let aliases = &stream_aliases(options);
    while let Some(r) = stream.next_row()? {
        rows += 1;
        let n = r.number;
        let mut h = DefaultHasher::new();
        for i in 0..r.width() {
            r.cell_at(i).hash(&mut h);
        }
        let row_hash = h.finish();
        let mut key = None;
        if keyed {
            let mut h = DefaultHasher::new();
            let mut filled = true;
            for c in &key_cols {
                let s = r.str(*c);
                filled &= !s.is_empty();
                s.hash(&mut h);
            }
            key = filled.then(|| h.finish());
        }
        match key {
            None => {
                if !seen_rows.insert(row_hash) {
                    dup_rows.add(n, "");
                }
            }
            Some(k) => match seen_keys.entry(k) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(row_hash);
                }
                std::collections::hash_map::Entry::Occupied(e) => {
                    if *e.get() == row_hash || !repeats.insert((k, row_hash)) {
                        dup_rows.add(n, "");
                    } else {
                        let example = key_cols
                            .iter()
                            .map(|c| r.str(*c))
                            .collect::<Vec<_>>()
                            .join(", ");
                        dup_keys.add(n, &example);
                    }
                }
            },
        }
        let mut row_day = None;
        for (i, c) in columns.iter_mut().enumerate() {
            let s = r.str(c.col);
            if s.is_empty() {
                c.blank.add(n, r.raw(c.col));
                if let Some(k) = ordered.iter().position(|o| *o == i) {
                    stage_days[k] = None;
                }
                continue;
            }
            match c.kind {
                Kind::Date => match dates::parse(s, c.order, configured) {
                    None if c.unsettled && dates::looks_numeric(s) => return Ok(None),
                    None => c.bad.add(n, s),
                    Some(t) => {
                        let day = t.date_naive();
                        if day > as_of {
                            c.future.add(n, s);
                        }
                        if Some(i) == primary {
                            row_day = Some(day);
                        }
                        if let Some(k) = ordered.iter().position(|o| *o == i) {
                            stage_days[k] = Some(day);
                        }
                    }
                },
                Kind::Number => {
                    if r.opt_number(c.col).is_err() {
                        c.bad.add(n, s);
                    }
                }
                Kind::Channel => {
                    if !channels.contains(s) {
                        channels.insert(map_channel(aliases, s));
                    }
                }
                Kind::Path => {
                    if s.split('>').any(|p| p.trim().is_empty()) {
                        c.bad.add(n, s);
                    } else {
                        for p in s.split('>') {
                            let p = p.trim();
                            if !channels.contains(p) {
                                channels.insert(map_channel(aliases, p));
                            }
                        }
                    }
                }
                Kind::Text => {}
            }
        }
        if let Some(w) = &wide {
            for (channel, col) in w {
                match r.str(*col) {
                    "" => {}
                    _ if r.opt_number(*col).is_err() => {}
                    _ => {
                        channels.insert(channel.clone());
                        if let Some(day) = row_day {
                            channel_weeks
                                .entry(channel.clone())
                                .or_default()
                                .insert(week_of(day));
                        }
                    }
                }
            }
        }
        // Funnel dates must not go backwards (a win before its lead).
        let mut latest: Option<NaiveDate> = None;
        for d in stage_days.iter().flatten() {
            if latest.is_some_and(|l| *d < l) {
                backwards.add(n, "");
                break;
            }
            latest = Some(*d);
        }
        stage_days.iter_mut().for_each(|d| *d = None);
        // Rows dated after the as-of date are reported, not counted in the weeks.
        if let Some(day) = row_day.filter(|d| spec.future_ok || *d <= as_of) {
            range = Some(match range {
                None => (day, day),
                Some((a, b)) => (a.min(day), b.max(day)),
            });
            days_seen.insert(day);
            *weekly.entry(week_of(day)).or_default() += 1;
            if let Some(ci) = channel_col {
                let s = r.str(columns[ci].col);
                if !s.is_empty() {
                    match channel_weeks.get_mut(s) {
                        Some(set) => {
                            set.insert(week_of(day));
                        }
                        None => {
                            channel_weeks.insert(s.to_owned(), BTreeSet::from([week_of(day)]));
                        }
                    }
                }
            }
        }
        if let (Some((set, _)), Some(ci)) = (ids.as_mut(), id_col) {
            let s = r.str(columns[ci].col);
            if !s.is_empty() {
                set.insert(s.to_owned());
            }
        }
        if let (Some((_, list)), Some(ci)) = (ids.as_mut(), id_col)
            && spec.input == "deals"
        {
            let s = r.str(columns[ci].col);
            if !s.is_empty() {
                list.push((s.to_owned(), n));
            }
        }
    }

    for c in &columns {
        // A blank funnel stage was not reached; a blank amount or position is none.
        let blank_means_none = spec.ordered.iter().skip(1).any(|o| *o == c.name)
            || matches!(c.name, "amount" | "position");
        if c.blank.n > 0 && !blank_means_none {
            let (kind, what) = if c.required {
                (
                    "blank_required",
                    "is required: the stages refuse the file until these are filled or dropped"
                        .to_owned(),
                )
            } else if matches!(c.kind, Kind::Channel | Kind::Text) {
                ("blank", "reads \"(not set)\"".to_owned())
            } else {
                (
                    "blank",
                    "those rows are skipped where the value is needed".to_owned(),
                )
            };
            problems.push(Problem {
                kind: kind.into(),
                count: c.blank.n,
                example_row: c.blank.first,
                detail: format!(
                    "`{}` ({}) is blank in {} row{}; {what}",
                    c.header,
                    c.name,
                    c.blank.n,
                    plural(c.blank.n)
                ),
            });
        }
        if c.kind == Kind::Date && c.order == DateOrder::Ambiguous && configured.is_none() {
            problems.push(Problem {
                kind: "ambiguous_dates".into(),
                count: c.bad.n,
                example_row: c.bad.first,
                detail: format!(
                    "`{}` has dates like {:?} that could be day-first or month-first (no day above 12 settles it); set `date_format` for this file, e.g. \"%d-%m-%Y\" or \"%m/%d/%Y\"",
                    c.header, c.bad.example
                ),
            });
        } else if c.bad.n > 0 {
            let expected = match c.kind {
                Kind::Date => dates::expected(c.order, configured),
                Kind::Number => "a number".into(),
                _ => "channel names separated by >".into(),
            };
            problems.push(Problem {
                kind: "unparseable".into(),
                count: c.bad.n,
                example_row: c.bad.first,
                detail: format!(
                    "`{}` ({}): expected {expected}, found {:?} (and {} more)",
                    c.header,
                    c.name,
                    c.bad.example,
                    c.bad.n - 1
                ),
            });
        }
        if c.future.n > 0 && !spec.future_ok {
            problems.push(Problem {
                kind: "future_dates".into(),
                count: c.future.n,
                example_row: c.future.first,
                detail: format!(
                    "`{}` has {} date{} after the as-of date {as_of} (first {:?}): data from the future is left out of comparisons",
                    c.header,
                    c.future.n,
                    plural(c.future.n),
                    c.future.example
                ),
            });
        }
    }
    if dup_rows.n > 0 {
        problems.push(Problem {
            kind: "duplicate_rows".into(),
            count: dup_rows.n,
            example_row: dup_rows.first,
            detail: format!(
                "{} row{} repeat an earlier row cell for cell",
                dup_rows.n,
                plural(dup_rows.n)
            ),
        });
    }
    if dup_keys.n > 0 {
        problems.push(Problem {
            kind: "duplicate_keys".into(),
            count: dup_keys.n,
            example_row: dup_keys.first,
            detail: format!(
                "{} row{} repeat the {} of an earlier row ({})",
                dup_keys.n,
                plural(dup_keys.n),
                spec.key
                    .iter()
                    .filter(|k| wide.is_none() || **k != "channel")
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                dup_keys.example
            ),
        });
    }
    if backwards.n > 0 {
        problems.push(Problem {
            kind: "dates_out_of_order".into(),
            count: backwards.n,
            example_row: backwards.first,
            detail: format!(
                "{} row{} have a later stage dated before an earlier one ({})",
                backwards.n,
                plural(backwards.n),
                spec.ordered.join(" ≤ ")
            ),
        });
    }
    if spec.steady {
        steady_checks(
            &mut problems,
            &weekly,
            &channel_weeks,
            range,
            &days_seen,
            as_of,
            spec.volume,
        );
    }
    let date_format = primary.and_then(|i| columns[i].order.format(configured));
    Ok(Some(Profile {
        report: FileReport {
            file: spec.file.to_owned(),
            input: spec.input.to_owned(),
            rows,
            columns: mapping,
            date_format: if range.is_some() { date_format } else { None },
            date_range: range.map(|(a, b)| [a, b]),
            problems,
        },
        channels,
        ids,
    }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn stream_aliases(options: &ReadOptions) -> BTreeMap<String, String> {
    options
        .channel_aliases
        .iter()
        .map(|(k, v)| (crate::sources::aliases::key(k), v.trim().to_owned()))
        .collect()
}

/// Wide weekly media: (channel, spend column), configured or from `*_S`/`*_spend`.
fn wide_channels(
    stream: &CsvStream<'_>,
    spec: &InputSpec,
    options: &ReadOptions,
) -> Option<Vec<(String, Col)>> {
    if spec.file != "weekly_media.csv" {
        return None;
    }
    let aliases = stream_aliases(options);
    if let Some(w) = &options.wide {
        return Some(
            w.channels
                .iter()
                .filter_map(|(ch, h)| {
                    stream
                        .find_header(h)
                        .map(|c| (map_channel(&aliases, ch), c))
                })
                .collect(),
        );
    }
    if stream.find("channel", &[]).is_some() {
        return None;
    }
    let cols: Vec<(String, Col)> = stream
        .raw_header
        .iter()
        .filter_map(|h| {
            let stem = crate::sources::wide_stem(h)?;
            Some((map_channel(&aliases, stem), stream.find_header(h)?))
        })
        .collect();
    (!cols.is_empty()).then_some(cols)
}

/// Settles each date column's day-month order: a first pass to the first filled cell of
/// every date column (at most `cap` rows; a column still blank then is unsettled), and
/// only when one looks like `01-02-2018` a full detection pass.
fn set_date_orders(
    origin: &str,
    bytes: &[u8],
    options: &ReadOptions,
    columns: &mut [Column],
    cap: usize,
) -> Result<(), InputError> {
    let dates: Vec<usize> = (0..columns.len())
        .filter(|i| columns[*i].kind == Kind::Date)
        .collect();
    if dates.is_empty() {
        return Ok(());
    }
    let mut first: Vec<Option<bool>> = vec![None; dates.len()];
    let mut stream = CsvStream::new(origin, bytes)?.with_options(options);
    let mut read = 0;
    while first.iter().any(Option::is_none) && read < cap {
        let Some(r) = stream.next_row()? else { break };
        read += 1;
        for (k, i) in dates.iter().enumerate() {
            let s = r.str(columns[*i].col);
            if first[k].is_none() && !s.is_empty() {
                first[k] = Some(dates::looks_numeric(s));
            }
        }
    }
    // Unsettled only when rows were left unread; at the end of the file a blank
    // column is just blank.
    let more = stream.next_row()?.is_some();
    for (k, i) in dates.iter().enumerate() {
        columns[*i].unsettled = first[k].is_none() && more && options.date_format.is_none();
    }
    let detect: Vec<usize> = dates
        .iter()
        .zip(&first)
        .filter(|(_, f)| **f == Some(true))
        .map(|(i, _)| *i)
        .collect();
    if !detect.is_empty() {
        let mut detectors = vec![Detector::default(); detect.len()];
        let mut stream = CsvStream::new(origin, bytes)?.with_options(options);
        while let Some(r) = stream.next_row()? {
            for (d, i) in detectors.iter_mut().zip(&detect) {
                d.feed(r.str(columns[*i].col));
            }
        }
        for (d, i) in detectors.iter().zip(&detect) {
            columns[*i].order = d.order();
        }
    }
    for i in dates {
        if options.date_format.is_some()
            && matches!(columns[i].order, DateOrder::Iso | DateOrder::Ambiguous)
        {
            columns[i].order = DateOrder::Configured;
        }
    }
    Ok(())
}

/// Gaps, collapsed weeks, an export cut short, per-channel holes and vanished channels.
fn steady_checks(
    problems: &mut Vec<Problem>,
    weekly: &BTreeMap<NaiveDate, u64>,
    channel_weeks: &HashMap<String, BTreeSet<NaiveDate>>,
    range: Option<(NaiveDate, NaiveDate)>,
    days_seen: &Days,
    as_of: NaiveDate,
    volume: bool,
) {
    let Some((_, last)) = range else { return };
    let gaps = weeks::gaps(weekly);
    if let Some(first) = gaps.first() {
        problems.push(Problem {
            kind: "gap".into(),
            count: gaps.len(),
            example_row: None,
            detail: format!(
                "{} week{} without any row, the first the week of {first}; comparisons across {} are distorted",
                gaps.len(),
                plural(gaps.len()),
                if gaps.len() == 1 { "it" } else { "them" }
            ),
        });
    }
    if volume {
        let drops = weeks::drops(weekly);
        if let Some((week, count, median)) = drops.first() {
            problems.push(Problem {
                kind: "volume_drop".into(),
                count: drops.len(),
                example_row: None,
                detail: format!(
                    "{} week{} with under half the usual rows, the first the week of {week}: {count} against a median of {median:.0} in the weeks before",
                    drops.len(),
                    plural(drops.len())
                ),
            });
        }
    }
    // Weekly files (one date per week) may end up to a week before the as-of date.
    let weekly_grain = days_seen.len() == weekly.len();
    let allowed = if weekly_grain { 13 } else { 6 };
    let behind = (as_of - last).num_days();
    if last < as_of && behind > allowed {
        problems.push(Problem {
            kind: "ends_early".into(),
            count: 1,
            example_row: None,
            detail: format!(
                "the export ends on {last}, {behind} days before the as-of date {as_of}: the weeks after it are missing, not zero"
            ),
        });
    }
    let Some(file_last_week) = weekly.keys().next_back().copied() else {
        return;
    };
    let mut holes: Vec<(String, NaiveDate)> = Vec::new();
    let mut vanished: Vec<(String, NaiveDate)> = Vec::new();
    let mut names: Vec<&String> = channel_weeks.keys().collect();
    names.sort();
    for name in names {
        let set = &channel_weeks[name];
        let (Some(a), Some(b)) = (set.first(), set.last()) else {
            continue;
        };
        let mut w = *a;
        while w < *b {
            if !set.contains(&w) && weekly.contains_key(&w) {
                holes.push((name.clone(), w));
            }
            w += Duration::days(7);
        }
        if *b + Duration::days(14) < file_last_week {
            vanished.push((name.clone(), *b));
        }
    }
    if let Some((name, week)) = holes.first() {
        problems.push(Problem {
            kind: "channel_gap".into(),
            count: holes.len(),
            example_row: None,
            detail: format!(
                "{} channel-week{} without a row while other channels have one, the first {name} in the week of {week}",
                holes.len(),
                plural(holes.len())
            ),
        });
    }
    if !vanished.is_empty() {
        problems.push(Problem {
            kind: "channel_vanished".into(),
            count: vanished.len(),
            example_row: None,
            detail: format!(
                "no rows after a date while the file runs to the week of {file_last_week}: {}",
                vanished
                    .iter()
                    .map(|(n, w)| format!("{n} (last the week of {w})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
}
