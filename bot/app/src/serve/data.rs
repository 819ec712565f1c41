//! The data commands' reports: `/data check` on the team's folder, and the same check of
//! a staged upload in its preview — both through the function `quarterdeck data check`
//! uses.

use quarterdeck_discord::port::{Caller, Reply};

use crate::chat::{File, Message};
use crate::cli::data::{review_end, team_check};
use crate::config::TeamSettings;
use crate::sources::DataSet;

/// `/data check`: the report `quarterdeck data check` prints, for the team's folder as
/// of the last day of the quarter under review; the stages' readiness in the message,
/// every file's problems in the attached text.
pub(super) fn data_check(caller: &Caller, team: &TeamSettings) -> Reply {
    let as_of = review_end(team);
    let report = match team_check(team, &team.data_dir, as_of) {
        Ok(r) => r,
        Err(e) => {
            return Reply::error(
                &caller.reference,
                format!("The data folder could not be read: {e}"),
            );
        }
    };
    let problems: usize = report.files.iter().map(|f| f.problems.len()).sum();
    let mut lines = vec![format!(
        "{} read as of {as_of}: {}.",
        crate::report::plural(report.files.len(), "file", "files"),
        if problems == 0 {
            "no problems".to_owned()
        } else {
            format!(
                "{} (details attached)",
                crate::report::plural(problems, "problem", "problems")
            )
        }
    )];
    for s in &report.stages {
        let name =
            crate::domain::StageId::from_number(s.number).map_or("?", crate::domain::StageId::name);
        let why = if s.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", s.reason)
        };
        lines.push(format!(
            "{:>2}. {name}: {}{why}",
            s.number,
            s.status.as_str()
        ));
    }
    let mut reply = Reply::private(Message::new(
        format!("Data check · {}", team.name),
        lines.join("\n"),
    ));
    reply.files.push(File {
        name: format!("data-check-{as_of}.txt"),
        content_type: "text/plain".into(),
        bytes: crate::data_check::render_table(&report).into_bytes(),
    });
    reply
}

/// The data check's problems with an uploaded file (read with the team's settings for
/// that input), a line each, for the upload's preview.
pub(super) fn upload_problems(team: &TeamSettings, file_name: &str, bytes: &[u8]) -> Vec<String> {
    let mut data = DataSet::default();
    data.insert(file_name, file_name.to_owned(), bytes.to_vec());
    let source = team.sources.get(file_name).cloned().unwrap_or_default();
    data.set_options(file_name, source.read_options(&team.channel_aliases));
    let report = crate::data_check::check(&data, review_end(team));
    report
        .files
        .iter()
        .filter(|f| f.file == file_name)
        .flat_map(|f| &f.problems)
        .map(|p| {
            let row = p
                .example_row
                .map_or_else(String::new, |r| format!(", first at row {r}"));
            format!(
                "- {} ({}{row}): {}",
                p.kind.replace('_', " "),
                p.count,
                p.detail
            )
        })
        .collect()
}
