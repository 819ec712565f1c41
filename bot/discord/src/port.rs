//! The port through which the adapter asks the app: who is calling, what they asked,
//! and the neutral reply. The app decides (capabilities, the engine, the audit trail);
//! the adapter only translates Discord to and from these types.

use quarterdeck_domain::AmendmentKind;
use quarterdeck_domain::chat::{BoxFuture, File, Message};

/// The member behind an interaction, as Discord's interaction payload carries them (no
/// privileged intent needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub name: String,
    pub role_ids: Vec<String>,
    pub guild_id: Option<String>,
    pub channel_id: String,
    /// The interaction's id: the reference quoted in error replies and in the logs.
    pub reference: String,
}

/// What the caller asked, one variant per slash command, button or upload.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    PlanStatus,
    PlanTimeline,
    PlanDocument,
    StageShow {
        stage: u8,
    },
    StageRun {
        stage: u8,
    },
    StageRerun {
        stage: u8,
        reason: String,
    },
    DataSources,
    /// The data check of the team's files: each file's problems, each stage's readiness.
    DataCheck,
    /// A CSV downloaded from the interaction's attachment (within the size cap).
    DataUpload {
        file_name: String,
        bytes: Vec<u8>,
    },
    Help,
    WhoAmI,
    /// A signed link to the team's dashboard.
    PlanDashboard,
    /// Approve the latest plan version for the caller's stakeholder group.
    Approve {
        comment: Option<String>,
    },
    /// Reject the latest plan version.
    Reject {
        reason: String,
    },
    /// Ask for changes in words; the stage owner answers with `/amend`.
    RequestChanges {
        section: Option<String>,
        what: String,
    },
    /// A structured change to the plan (a stakeholder's request or the owner's answer).
    Amend {
        amendment: AmendmentKind,
        note: Option<String>,
    },
    /// Away for local dates `from..=until` (`YYYY-MM-DD`), optionally with a delegate.
    Away {
        from: String,
        until: String,
        delegate: Option<String>,
    },
    /// Hand one's approvals and check-ins to `user` from today until `until`.
    Delegate {
        user: String,
        until: String,
    },
    /// A campaign owner confirms the campaign is live.
    CampaignLaunched {
        campaign: String,
    },
    /// The run's decisions, a page at a time, with the whole trail as CSV.
    Audit {
        page: u32,
    },
    /// A button's stable `custom_id` (survives restarts: no in-memory state).
    Button {
        custom_id: String,
    },
    /// The caller's own time zone (an IANA name, checked by the app).
    Timezone {
        zone: String,
    },
    /// A reaction added to a message (the emoji as Unicode). The message is looked up by
    /// its id among the stored posts, so a reaction on a post from before a restart counts.
    Reaction {
        message_id: String,
        emoji: String,
    },
    /// A submitted form ([`Modal`]): its stable `custom_id` and each input's
    /// (`custom_id`, value), in the form's order.
    ModalSubmit {
        custom_id: String,
        values: Vec<(String, String)>,
    },
    /// `/request-changes` without words: the app answers with the change-request form.
    RequestChangesForm,
}

impl Command {
    /// The command as the user typed it, for logs and the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            Self::PlanStatus => "/plan status",
            Self::PlanTimeline => "/plan timeline",
            Self::PlanDocument => "/plan document",
            Self::StageShow { .. } => "/stage show",
            Self::StageRun { .. } => "/stage run",
            Self::StageRerun { .. } => "/stage rerun",
            Self::DataSources => "/data sources",
            Self::DataCheck => "/data check",
            Self::DataUpload { .. } => "/data upload",
            Self::Help => "/help",
            Self::WhoAmI => "/whoami",
            Self::PlanDashboard => "/plan dashboard",
            Self::Approve { .. } => "/approve",
            Self::Reject { .. } => "/reject",
            Self::RequestChanges { .. } => "/request-changes",
            Self::Amend { .. } => "/amend",
            Self::Away { .. } => "/away",
            Self::Delegate { .. } => "/delegate",
            Self::CampaignLaunched { .. } => "/campaign launched",
            Self::Audit { .. } => "/audit",
            Self::Button { .. } => "button",
            Self::Reaction { .. } => "reaction",
            Self::Timezone { .. } => "/timezone",
            Self::ModalSubmit { .. } => "form",
            Self::RequestChangesForm => "/request-changes",
        }
    }
}

/// The answer: a neutral message, shown only to the caller when `ephemeral`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub ephemeral: bool,
    pub message: Message,
    pub files: Vec<File>,
    /// A refusal or an error: logged (at warn) with the interaction's reference.
    pub is_error: bool,
    /// Instead of a message, open this form (Discord: a modal, interaction response
    /// type 9; only as the first answer to a button or a command).
    pub modal: Option<Modal>,
}

/// A form of one to five text inputs, opened in answer to a click or a command; its
/// submission comes back as [`Command::ModalSubmit`] with the same stable `custom_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modal {
    pub custom_id: String,
    /// At most 45 characters.
    pub title: String,
    pub inputs: Vec<TextInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    pub custom_id: String,
    /// At most 45 characters.
    pub label: String,
    /// Several lines (a paragraph) rather than one.
    pub paragraph: bool,
    pub required: bool,
    pub placeholder: Option<String>,
    pub max_length: Option<u16>,
}

impl TextInput {
    pub fn short(custom_id: &str, label: &str, required: bool) -> Self {
        Self {
            custom_id: custom_id.to_owned(),
            label: label.to_owned(),
            paragraph: false,
            required,
            placeholder: None,
            max_length: None,
        }
    }

    pub fn paragraph(custom_id: &str, label: &str, required: bool) -> Self {
        Self {
            paragraph: true,
            ..Self::short(custom_id, label, required)
        }
    }

    pub fn placeholder(mut self, text: &str) -> Self {
        self.placeholder = Some(text.to_owned());
        self
    }
}

impl Modal {
    /// The answer that opens this form.
    pub fn reply(self) -> Reply {
        Reply {
            modal: Some(self),
            ..Reply::private(Message::default())
        }
    }
}

impl Reply {
    pub fn private(message: Message) -> Self {
        Self {
            ephemeral: true,
            message,
            files: Vec::new(),
            is_error: false,
            modal: None,
        }
    }

    pub fn public(message: Message) -> Self {
        Self {
            ephemeral: false,
            message,
            files: Vec::new(),
            is_error: false,
            modal: None,
        }
    }

    /// A refusal or an error: ephemeral, with the reference that is also in the logs.
    pub fn error(reference: &str, text: impl Into<String>) -> Self {
        Self {
            is_error: true,
            ..Self::private(Message::new(
                "Not done",
                format!("{}\n\nReference: `{reference}`", text.into()),
            ))
        }
    }
}

/// What an autocompleted option names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggestion {
    /// The campaigns on the quarter's roster.
    Campaign,
    /// The team's marketing channels.
    Channel,
    /// Time zone names (IANA).
    Timezone,
}

/// The app behind the adapter.
pub trait Backend: Send + Sync + 'static {
    fn handle<'a>(&'a self, caller: &'a Caller, command: Command) -> BoxFuture<'a, Reply>;

    /// Choices for an autocompleted option, as (label shown, value sent), best first;
    /// `partial` is what the member has typed so far.
    fn suggest<'a>(
        &'a self,
        caller: &'a Caller,
        what: Suggestion,
        partial: &'a str,
    ) -> BoxFuture<'a, Vec<(String, String)>>;
}
