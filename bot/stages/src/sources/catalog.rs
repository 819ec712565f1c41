//! Where a team's input files come from: by default `data_dir/<file>`, or per file a
//! configured local path or HTTP(S) URL, with the team's own header names. A
//! [`Catalog`] loads the files one stage needs into a [`DataSet`] (all bytes in memory,
//! fetched before the computation starts), so a stage computes from a consistent
//! snapshot and never does I/O itself.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::fetch::{Fetcher, HttpSettings};
use super::{CsvTable, InputError, ReadOptions, WideMedia};
use crate::domain::Secret;

/// One input file's configured origin and how to read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    pub origin: Origin,
    /// Canonical column name -> the header as the export spells it.
    pub columns: BTreeMap<String, String>,
    /// strftime format of dates the file does not settle itself (`%d-%m-%Y`).
    pub date_format: Option<String>,
    /// Weekly media with one spend column per channel.
    pub wide: Option<WideMedia>,
}

impl Source {
    /// How to read this file, with the team's channel aliases.
    pub fn read_options(&self, channel_aliases: &BTreeMap<String, String>) -> ReadOptions {
        ReadOptions {
            columns: self.columns.clone(),
            date_format: self.date_format.clone(),
            channel_aliases: channel_aliases.clone(),
            wide: self.wide.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Origin {
    /// `data_dir/<file name>`.
    #[default]
    DataDir,
    Path(PathBuf),
    Url {
        url: String,
        /// Header name and value (from the environment) sent with the request.
        auth: Option<(String, Secret)>,
    },
}

/// The sources of one team.
#[derive(Debug, Clone)]
pub struct Catalog {
    data_dir: PathBuf,
    sources: BTreeMap<String, Source>,
    channel_aliases: BTreeMap<String, String>,
    fetcher: Fetcher,
}

impl Catalog {
    pub fn new(
        data_dir: PathBuf,
        sources: BTreeMap<String, Source>,
        http: &HttpSettings,
    ) -> Result<Self, InputError> {
        Ok(Self {
            data_dir,
            sources,
            channel_aliases: BTreeMap::new(),
            fetcher: Fetcher::new(http)?,
        })
    }

    /// Maps export channel names to the team's in every file (`"Paid Search" =
    /// "paid_search"`).
    pub fn with_channel_aliases(mut self, aliases: BTreeMap<String, String>) -> Self {
        self.channel_aliases = aliases;
        self
    }

    /// The team's data folder.
    pub fn folder(&self) -> &Path {
        &self.data_dir
    }

    /// Every file from the data folder, with built-in column names.
    pub fn data_dir(data_dir: PathBuf) -> Self {
        Self::new(data_dir, BTreeMap::new(), &HttpSettings::default())
            .expect("the default HTTP client builds")
    }

    /// Loads `names`. A local file that does not exist is absent from the set (the
    /// stage reports it as missing); a URL that cannot be fetched is an error, since the
    /// team configured it and expects it used.
    pub async fn load(&self, names: &[&str]) -> Result<DataSet, InputError> {
        let mut files = BTreeMap::new();
        for name in names {
            let source = self.sources.get(*name).cloned().unwrap_or_default();
            let (origin, bytes) = match &source.origin {
                Origin::DataDir => self.read_local(&self.data_dir.join(name)).await?,
                Origin::Path(p) => self.read_local(p).await?,
                Origin::Url { url, auth } => (
                    url.clone(),
                    Some(self.fetcher.get(url, auth.as_ref()).await?),
                ),
            };
            if let Some(bytes) = bytes {
                files.insert(
                    (*name).to_owned(),
                    Loaded {
                        origin,
                        bytes: bytes.into(),
                        options: source.read_options(&self.channel_aliases),
                    },
                );
            }
        }
        Ok(DataSet {
            files,
            read_on: None,
            checked: Arc::default(),
            carried: BTreeMap::new(),
        })
    }

    async fn read_local(&self, path: &Path) -> Result<(String, Option<Vec<u8>>), InputError> {
        let origin = path.display().to_string();
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok((origin, Some(bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((origin, None)),
            Err(e) => Err(InputError::File {
                file: origin,
                message: format!("cannot read: {e}"),
            }),
        }
    }
}

/// Input files loaded for one computation, by file name (`spend.csv`).
#[derive(Clone, Default)]
pub struct DataSet {
    files: BTreeMap<String, Loaded>,
    /// The day the files were read (the stage's run date, team time); the data can run
    /// at most to the day before.
    read_on: Option<chrono::NaiveDate>,
    /// The data check of these files as of a day, computed once: a stage asks for it for
    /// its data-through date and again for its notes. Shared by clones of an unchanged
    /// set; replaced whenever a file or its options change.
    checked: Arc<OnceLock<(chrono::NaiveDate, crate::data_check::DataCheck)>>,
    /// Per file, what the previous quarter's stored actuals added to it (a data note).
    carried: BTreeMap<String, (usize, String)>,
}

#[derive(Clone)]
struct Loaded {
    origin: String,
    bytes: Arc<[u8]>,
    options: ReadOptions,
}

impl fmt::Debug for DataSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.files
                    .iter()
                    .map(|(k, v)| (k, format!("{} ({} bytes)", v.origin, v.bytes.len()))),
            )
            .finish()
    }
}

impl DataSet {
    /// Reads local files synchronously (the command line's `--leads FILE` and such);
    /// here a missing file is an error.
    pub fn from_paths<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a Path)>,
    ) -> Result<Self, InputError> {
        let mut set = Self::default();
        for (name, path) in files {
            let origin = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|e| InputError::File {
                file: origin.clone(),
                message: format!("cannot read: {e}"),
            })?;
            set.insert(name, origin, bytes);
        }
        Ok(set)
    }

    /// Reads those of `names` that exist in `dir`, synchronously (the command line).
    pub fn from_dir(dir: &Path, names: &[&str]) -> Result<Self, InputError> {
        let present: Vec<(&str, PathBuf)> = names
            .iter()
            .map(|n| (*n, dir.join(n)))
            .filter(|(_, p)| p.is_file())
            .collect();
        Self::from_paths(present.iter().map(|(n, p)| (*n, p.as_path())))
    }

    /// The data check of these files as of `as_of` ([`crate::data_check::check`]),
    /// computed once per set and day.
    pub fn check(
        &self,
        as_of: chrono::NaiveDate,
    ) -> std::borrow::Cow<'_, crate::data_check::DataCheck> {
        let (day, check) = self
            .checked
            .get_or_init(|| (as_of, crate::data_check::check(self, as_of)));
        if *day == as_of {
            std::borrow::Cow::Borrowed(check)
        } else {
            std::borrow::Cow::Owned(crate::data_check::check(self, as_of))
        }
    }

    /// Adds a file held in memory (an upload, a test fixture).
    pub fn insert(&mut self, name: &str, origin: String, bytes: Vec<u8>) {
        self.checked = Arc::default();
        self.files.insert(
            name.to_owned(),
            Loaded {
                origin,
                bytes: bytes.into(),
                options: ReadOptions::default(),
            },
        );
    }

    /// Carries the previous quarter's stored actuals (`spend.csv` and `campaigns.csv` as
    /// `serve` wrote them, each with where it was read) into these files, by the rules
    /// of [`super::carried`]; `review` is the quarter under review (first day, and the
    /// next quarter's first day). What they added is said among the data notes. The
    /// caller passes only the files the stage reads.
    pub fn carry_actuals(
        &mut self,
        spend: Option<(String, Vec<u8>)>,
        campaigns: Option<(String, Vec<u8>)>,
        review: (chrono::NaiveDate, chrono::NaiveDate),
    ) -> Result<(), InputError> {
        for (name, stored) in [("spend.csv", spend), ("campaigns.csv", campaigns)] {
            let Some((origin, bytes)) = stored else {
                continue;
            };
            let actuals = super::CsvTable::parse(&origin, &bytes)?;
            let export = self.files.get(name);
            let table = export
                .map(|f| {
                    super::CsvTable::parse(&f.origin, &f.bytes).map(|t| t.with_options(&f.options))
                })
                .transpose()?;
            let pair = export.zip(table.as_ref()).map(|(f, t)| (&f.bytes[..], t));
            let carried = if name == "spend.csv" {
                super::carried::carry_spend(pair, &actuals, review)?
            } else {
                super::carried::carry_campaigns(pair, &actuals)?
            };
            let Some(c) = carried else { continue };
            let what = if name == "spend.csv" {
                "channels"
            } else {
                "campaigns"
            };
            let note = if c.whole_file {
                format!(
                    "no export; the {} rows are last quarter's check-in actuals ({origin})",
                    c.rows
                )
            } else {
                format!(
                    "{} rows added from last quarter's check-in actuals ({origin}) for {what} \
                     the exports lack: {}",
                    c.rows,
                    c.names.join(", ")
                )
            };
            let (origin, options) = match self.files.get(name) {
                Some(f) => (format!("{} + {origin}", f.origin), f.options.clone()),
                None => (origin, ReadOptions::default()),
            };
            self.insert(name, origin, c.bytes);
            self.set_options(name, options);
            self.carried.insert(name.to_owned(), (c.rows, note));
        }
        Ok(())
    }

    /// What stored actuals added to `name`: rows and the note saying so.
    pub fn carried(&self, name: &str) -> Option<&(usize, String)> {
        self.carried.get(name)
    }

    /// Reads `name` with these settings (a team's source settings for an upload).
    pub fn set_options(&mut self, name: &str, options: ReadOptions) {
        self.checked = Arc::default();
        if let Some(f) = self.files.get_mut(name) {
            f.options = options;
        }
    }

    /// The set as read on `day` (see [`read_on`](Self::read_on)).
    pub fn with_read_on(mut self, day: chrono::NaiveDate) -> Self {
        self.read_on = Some(day);
        self
    }

    /// The day the files were read, when the reader said so.
    pub fn read_on(&self) -> Option<chrono::NaiveDate> {
        self.read_on
    }

    /// Names of the loaded files.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The raw bytes and read settings of `name` (the data profiler streams them).
    pub fn raw(&self, name: &str) -> Option<(&str, &[u8], &ReadOptions)> {
        self.files
            .get(name)
            .map(|f| (f.origin.as_str(), &f.bytes[..], &f.options))
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Where `name` came from (a path or a URL), for messages.
    pub fn origin(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(|f| f.origin.as_str())
    }

    /// The file parsed as CSV with the team's column names, if it was loaded.
    pub fn table(&self, name: &str) -> Result<Option<CsvTable>, InputError> {
        self.files
            .get(name)
            .map(|f| CsvTable::parse(&f.origin, &f.bytes).map(|t| t.with_options(&f.options)))
            .transpose()
    }

    /// Like [`table`](Self::table), but a missing file is an error.
    pub fn require_table(&self, name: &str) -> Result<CsvTable, InputError> {
        self.table(name)?.ok_or_else(|| self.missing(name))
    }

    /// The file as UTF-8 text (TOML inputs), if it was loaded.
    pub fn text(&self, name: &str) -> Result<Option<&str>, InputError> {
        self.files
            .get(name)
            .map(|f| {
                std::str::from_utf8(&f.bytes).map_err(|e| InputError::File {
                    file: f.origin.clone(),
                    message: format!(
                        "expected UTF-8 text, found invalid bytes at byte {}",
                        e.valid_up_to()
                    ),
                })
            })
            .transpose()
    }

    /// Data rows of a CSV file (lines after the header), for inventories.
    pub fn row_count(&self, name: &str) -> Option<usize> {
        self.files.get(name).map(|f| {
            let lines = f.bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty());
            lines
                .count()
                .saturating_sub(usize::from(name.ends_with(".csv")))
        })
    }

    fn missing(&self, name: &str) -> InputError {
        InputError::File {
            file: name.to_owned(),
            message: "expected this input file in the team's data, found none".into(),
        }
    }
}
