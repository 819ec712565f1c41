//! Writing a dataset all or nothing: files go into a temporary sibling folder first and
//! are moved into place only when every one is written. A folder that holds something
//! else than an earlier sample (no `truth.json`) is never overwritten.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error(
        "{path}: expected an empty folder or an earlier sample (with truth.json); it holds other files, so nothing was written"
    )]
    NotEmpty { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SampleError + '_ {
    move |source| SampleError::Io {
        path: path.to_owned(),
        source,
    }
}

pub fn write_all(files: &[(String, String)], dir: &Path) -> Result<Vec<PathBuf>, SampleError> {
    if dir.is_dir() {
        let has_entries = std::fs::read_dir(dir).map_err(io(dir))?.next().is_some();
        if has_entries && !dir.join("truth.json").is_file() {
            return Err(SampleError::NotEmpty {
                path: dir.to_owned(),
            });
        }
    }
    let name = dir
        .file_name()
        .map_or_else(|| "data".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let written = (|| {
        for (file, contents) in files {
            let p = tmp.join(file);
            std::fs::write(&p, contents).map_err(io(&p))?;
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut out = Vec::with_capacity(files.len());
        // truth.json last: its presence marks a complete sample.
        let mut order: Vec<&(String, String)> = files.iter().collect();
        order.sort_by_key(|(f, _)| f == "truth.json");
        for (file, _) in order {
            let to = dir.join(file);
            std::fs::rename(tmp.join(file), &to).map_err(io(&to))?;
            out.push(to);
        }
        Ok(out)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    written
}
