//! TEMPORARY stub; replaced by the real sample generator.
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
pub struct SampleSpec {
    pub seed: u64,
    pub prior_start: NaiveDate,
    pub prior_end: NaiveDate,
    pub next_start: NaiveDate,
    pub next_end: NaiveDate,
}
pub struct Dataset {
    files: Vec<(String, String)>,
}
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SampleError(String);
pub fn generate(spec: &SampleSpec) -> Dataset {
    let mut c = String::from("campaign,channel,start,end,planned_budget,owner,objective\n");
    for (i, o) in ["Avery Chen", "Jordan Patel", "Riley Gomez"]
        .iter()
        .enumerate()
    {
        c.push_str(&format!(
            "Camp {i},email,{},{},1000,{o},pipeline\n",
            spec.prior_start, spec.next_end
        ));
    }
    Dataset {
        files: vec![
            ("campaigns.csv".into(), c),
            ("truth.json".into(), format!("{{\"seed\": {}}}", spec.seed)),
            (
                "objectives.toml".into(),
                "total_budget = 1200000\nreserve_share = 0.12\n".into(),
            ),
        ],
    }
}
impl Dataset {
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, SampleError> {
        std::fs::create_dir_all(dir).map_err(|e| SampleError(e.to_string()))?;
        let mut v = vec![];
        for (n, c) in &self.files {
            let p = dir.join(n);
            std::fs::write(&p, c).map_err(|e| SampleError(e.to_string()))?;
            v.push(p);
        }
        Ok(v)
    }
}
