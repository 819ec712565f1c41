//! The gateway side of `serve`: a serenity client (its `Http` built with `HttpBuilder`, so
//! any Discord-compatible origin works) running poise slash commands, registered in the
//! configured guilds on every READY. Commands and buttons are translated to the
//! [`Backend`] port; the app decides. Only non-privileged intents are asked for.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use quarterdeck_domain::chat::{ButtonStyle, Message};
use tokio::sync::watch;

use crate::port::{Backend, Caller, Command, Reply};
use crate::render::{self, limits};

pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Ctx<'a> = poise::Context<'a, Data, Error>;

/// What `serve` connects with.
#[derive(Clone)]
pub struct GatewayConfig {
    /// Discord's origin, or a compatible server's (`http://127.0.0.1:PORT`).
    pub api_base_url: String,
    pub guild_ids: Vec<u64>,
    /// The largest `/data upload` attachment downloaded.
    pub max_upload_bytes: u64,
}

pub struct Data {
    pub(crate) backend: Arc<dyn Backend>,
    max_upload_bytes: u64,
    downloads: reqwest::Client,
}

/// Intents: guilds (channels, roles) and reactions; no privileged intent.
pub fn intents() -> serenity::GatewayIntents {
    serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS
        | serenity::GatewayIntents::DIRECT_MESSAGES
}

/// The `Http` for `origin`: Discord's own keeps serenity's rate limiter; another origin
/// is reached through serenity's proxy setting, which needs the limiter off (the outbox
/// retries 429s itself).
pub fn http(token: &str, origin: &str) -> serenity::Http {
    let builder = serenity::HttpBuilder::new(token);
    let origin = origin.trim_end_matches('/');
    if origin == "https://discord.com" {
        builder.build()
    } else {
        builder.proxy(origin).ratelimiter_disabled(true).build()
    }
}

/// The slash commands, grouped as subcommands.
pub fn commands() -> Vec<poise::Command<Data, Error>> {
    use crate::people::{amend, approve, audit, away, campaign, delegate, reject, request_changes};
    vec![
        plan(),
        stage(),
        data(),
        help(),
        whoami(),
        approve(),
        reject(),
        request_changes(),
        amend(),
        away(),
        delegate(),
        campaign(),
        audit(),
        crate::timezone::timezone(),
    ]
}

/// Connects and serves until `shutdown` turns true; returns once the gateway is closed.
pub async fn run(
    token: &str,
    config: GatewayConfig,
    backend: Arc<dyn Backend>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), Error> {
    let guilds = config.guild_ids.clone();
    let data = Data {
        backend,
        max_upload_bytes: config.max_upload_bytes,
        downloads: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
    };
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands(),
            initialize_owners: false,
            event_handler: |framework, event| Box::pin(on_event(framework, event)),
            on_error: |error| Box::pin(on_error(error)),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                for g in &guilds {
                    poise::builtins::register_in_guild(
                        ctx,
                        &framework.options().commands,
                        serenity::GuildId::new(*g),
                    )
                    .await?;
                }
                let line = format!(
                    "quarterdeck serve: ready as {} ({} commands registered in {} guild(s))",
                    ready.user.name,
                    framework.options().commands.len(),
                    guilds.len()
                );
                tracing::info!("{line}");
                eprintln!("{line}");
                Ok(data)
            })
        })
        .build();
    let http = http(token, &config.api_base_url);
    let mut client = serenity::ClientBuilder::new_with_http(http, intents())
        .framework(framework)
        .await?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        while !*shutdown.borrow() {
            if shutdown.changed().await.is_err() {
                break;
            }
        }
        shards.shutdown_all().await;
    });
    client.start().await?;
    Ok(())
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            let reference = ctx.id().to_string();
            tracing::error!(%reference, command = %ctx.command().qualified_name, %error, "command failed");
            let reply = Reply::error(
                &reference,
                "Something went wrong; the team's owner can find it in the logs.",
            );
            let _ = ctx.send(create_reply(&reply)).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "while handling a framework error");
            }
        }
    }
}

/// Buttons: stable `custom_id`s handled here (not in-memory collectors), so a button
/// posted before a restart still works. Reactions likewise, from the raw gateway event.
async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &serenity::FullEvent,
) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match event {
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(ci),
        } => {
            let caller = interaction_caller(
                &ci.user,
                ci.member.as_ref(),
                ci.guild_id,
                ci.channel_id,
                ci.id,
            );
            let command = Command::Button {
                custom_id: ci.data.custom_id.clone(),
            };
            tracing::info!(reference = %caller.reference, custom_id = %ci.data.custom_id, user = %caller.user_id, "button");
            let reply = data.backend.handle(&caller, command).await;
            log_refusal(&caller, &reply);
            ci.create_response(&ctx.http, interaction_response(&reply))
                .await?;
        }
        serenity::FullEvent::ReactionAdd { add_reaction } => {
            crate::reactions::added(ctx, data, add_reaction).await;
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(mi),
        } => {
            let caller = interaction_caller(
                &mi.user,
                mi.member.as_ref(),
                mi.guild_id,
                mi.channel_id,
                mi.id,
            );
            let command = Command::ModalSubmit {
                custom_id: mi.data.custom_id.clone(),
                values: crate::modal::values(&mi.data),
            };
            tracing::info!(reference = %caller.reference, custom_id = %mi.data.custom_id, user = %caller.user_id, "form");
            let reply = data.backend.handle(&caller, command).await;
            log_refusal(&caller, &reply);
            answer_form(ctx, mi, &reply).await?;
        }
        serenity::FullEvent::Ready { data_about_bot } => {
            tracing::info!(user = %data_about_bot.user.name, "gateway connected");
        }
        serenity::FullEvent::Resume { .. } => tracing::info!("gateway resumed"),
        _ => {}
    }
    Ok(())
}

/// The member (or, in a direct message, the user) behind a button or form.
fn interaction_caller(
    user: &serenity::User,
    member: Option<&serenity::Member>,
    guild: Option<serenity::GuildId>,
    channel: serenity::ChannelId,
    id: serenity::InteractionId,
) -> Caller {
    Caller {
        user_id: user.id.to_string(),
        name: display_name(user, member),
        role_ids: member
            .map(|m| m.roles.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        guild_id: guild.map(|g| g.to_string()),
        channel_id: channel.to_string(),
        reference: id.to_string(),
    }
}

/// A button's answer: the form it opens, or the reply as a message.
fn interaction_response(reply: &Reply) -> serenity::CreateInteractionResponse {
    if let Some(modal) = &reply.modal {
        return serenity::CreateInteractionResponse::Modal(crate::modal::create(modal));
    }
    serenity::CreateInteractionResponse::Message(response_message(reply))
}

fn response_message(reply: &Reply) -> serenity::CreateInteractionResponseMessage {
    let mut msg = serenity::CreateInteractionResponseMessage::new()
        .ephemeral(reply.ephemeral)
        .embed(embed(&reply.message))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    if !reply.message.buttons.is_empty() {
        msg = msg.components(rows(&reply.message));
    }
    msg
}

/// A submitted form's answer: a message (a form cannot answer a form).
async fn answer_form(
    ctx: &serenity::Context,
    mi: &serenity::ModalInteraction,
    reply: &Reply,
) -> Result<(), Error> {
    mi.create_response(
        &ctx.http,
        serenity::CreateInteractionResponse::Message(response_message(reply)),
    )
    .await?;
    Ok(())
}

/// `/request-changes` without words: the form opens at once (a modal cannot follow a
/// defer), or the refusal is the answer.
pub(crate) async fn open_form(ctx: Ctx<'_>, command: Command) -> Result<(), Error> {
    let caller = caller(ctx);
    tracing::info!(reference = %caller.reference, command = command.name(), user = %caller.user_id, "command");
    let reply = ctx.data().backend.handle(&caller, command).await;
    log_refusal(&caller, &reply);
    match (&reply.modal, ctx) {
        (Some(_), poise::Context::Application(a)) => {
            a.interaction
                .create_response(ctx.http(), interaction_response(&reply))
                .await?;
        }
        _ => {
            ctx.send(create_reply(&reply)).await?;
        }
    }
    Ok(())
}

pub(crate) fn display_name(user: &serenity::User, member: Option<&serenity::Member>) -> String {
    member
        .and_then(|m| m.nick.clone())
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}

pub(crate) fn caller(ctx: Ctx<'_>) -> Caller {
    let (roles, name) = match ctx {
        poise::Context::Application(a) => (
            a.interaction
                .member
                .as_ref()
                .map(|m| m.roles.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            display_name(&a.interaction.user, a.interaction.member.as_deref()),
        ),
        poise::Context::Prefix(p) => (Vec::new(), p.msg.author.name.clone()),
    };
    Caller {
        user_id: ctx.author().id.to_string(),
        name,
        role_ids: roles,
        guild_id: ctx.guild_id().map(|g| g.to_string()),
        channel_id: ctx.channel_id().to_string(),
        reference: ctx.id().to_string(),
    }
}

/// Asks the backend and answers: deferred first (the engine may take longer than
/// Discord's 3 s), ephemeral or public as the reply says.
pub(crate) async fn answer(
    ctx: Ctx<'_>,
    command: Command,
    private_hint: bool,
) -> Result<(), Error> {
    if private_hint {
        ctx.defer_ephemeral().await?;
    } else {
        ctx.defer().await?;
    }
    let caller = caller(ctx);
    tracing::info!(reference = %caller.reference, command = command.name(), user = %caller.user_id, "command");
    let reply = ctx.data().backend.handle(&caller, command).await;
    log_refusal(&caller, &reply);
    ctx.send(create_reply(&reply)).await?;
    Ok(())
}

/// Refuses a malformed option without asking the app: ephemeral, with the reference.
pub(crate) async fn refuse(ctx: Ctx<'_>, reference: &str, why: String) -> Result<(), Error> {
    let reply = Reply::error(reference, why);
    log_refusal(&caller(ctx), &reply);
    ctx.send(create_reply(&reply)).await?;
    Ok(())
}

/// Refusals and errors reach the log with the reference the user sees.
pub(crate) fn log_refusal(caller: &Caller, reply: &Reply) {
    if reply.is_error {
        tracing::warn!(
            reference = %caller.reference,
            user = %caller.user_id,
            reason = %reply.message.body.lines().next().unwrap_or_default(),
            "request not done"
        );
    }
}

fn create_reply(reply: &Reply) -> poise::CreateReply {
    let mut r = poise::CreateReply::default()
        .ephemeral(reply.ephemeral)
        .embed(embed(&reply.message))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    if !reply.message.buttons.is_empty() {
        r = r.components(rows(&reply.message));
    }
    for f in &reply.files {
        r = r.attachment(serenity::CreateAttachment::bytes(
            f.bytes.clone(),
            f.name.clone(),
        ));
    }
    r
}

/// A reply's embed: the same limits as posts (long replies are cut at a sentence).
fn embed(m: &Message) -> serenity::CreateEmbed {
    let mut text = String::from(m.body.trim());
    for t in &m.tables {
        match render::monospace(t) {
            Some(lines) => text.push_str(&format!(
                "\n\n**{}**\n```\n{}\n```",
                t.title,
                lines.join("\n")
            )),
            None => text.push_str(&format!(
                "\n\n**{}**: {} rows (see the attached CSV)",
                t.title,
                t.rows.len()
            )),
        }
    }
    let description = render::text::split(&text, limits::DESCRIPTION)
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut e = serenity::CreateEmbed::new()
        .title(render::truncate(&m.title, limits::TITLE))
        .description(description)
        .colour(render::EMBED_COLOR);
    for f in m.fields.iter().take(limits::FIELDS) {
        e = e.field(
            render::truncate(&f.name, limits::FIELD_NAME),
            render::truncate(&f.value, limits::FIELD_VALUE),
            f.inline,
        );
    }
    e
}

fn rows(m: &Message) -> Vec<serenity::CreateActionRow> {
    m.buttons
        .chunks(limits::BUTTONS_PER_ROW)
        .take(limits::ROWS)
        .map(|row| {
            serenity::CreateActionRow::Buttons(
                row.iter()
                    .map(|b| {
                        serenity::CreateButton::new(b.custom_id.clone())
                            .label(render::truncate(&b.label, limits::LABEL))
                            .style(match b.style {
                                ButtonStyle::Primary => serenity::ButtonStyle::Primary,
                                ButtonStyle::Secondary => serenity::ButtonStyle::Secondary,
                                ButtonStyle::Success => serenity::ButtonStyle::Success,
                                ButtonStyle::Danger => serenity::ButtonStyle::Danger,
                            })
                    })
                    .collect(),
            )
        })
        .collect()
}

// ---- commands ---------------------------------------------------------------------------

/// The quarter's plan: status, timeline, the current document
#[poise::command(
    slash_command,
    subcommands("plan_status", "plan_timeline", "plan_document", "plan_dashboard"),
    subcommand_required
)]
async fn plan(_: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Where the quarter stands: each stage, the plan version, approvals, what is next
#[poise::command(slash_command, rename = "status")]
async fn plan_status(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::PlanStatus, false).await
}

/// The planning timeline: when each stage is due, in your own time zone
#[poise::command(slash_command, rename = "timeline")]
async fn plan_timeline(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::PlanTimeline, false).await
}

/// The latest plan document, attached as markdown
#[poise::command(slash_command, rename = "document")]
async fn plan_document(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::PlanDocument, true).await
}

/// A signed link to the team's live dashboard (only to you)
#[poise::command(slash_command, rename = "dashboard")]
async fn plan_dashboard(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::PlanDashboard, true).await
}

/// A planning stage: show its findings, run it now, or re-run it
#[poise::command(
    slash_command,
    subcommands("stage_show", "stage_run", "stage_rerun"),
    subcommand_required
)]
async fn stage(_: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Show a stage's latest findings (only to you)
#[poise::command(slash_command, rename = "show")]
async fn stage_show(
    ctx: Ctx<'_>,
    #[description = "Stage number, 1 to 12"]
    #[min = 1]
    #[max = 12]
    stage: u8,
) -> Result<(), Error> {
    answer(ctx, Command::StageShow { stage }, true).await
}

/// Compute a stage now and post its findings (needs a run-stages role)
#[poise::command(slash_command, rename = "run")]
async fn stage_run(
    ctx: Ctx<'_>,
    #[description = "Stage number, 1 to 12"]
    #[min = 1]
    #[max = 12]
    stage: u8,
) -> Result<(), Error> {
    answer(ctx, Command::StageRun { stage }, true).await
}

/// Compute a finished stage again, and the stages that depend on it (needs a run-stages role)
#[poise::command(slash_command, rename = "rerun")]
async fn stage_rerun(
    ctx: Ctx<'_>,
    #[description = "Stage number, 1 to 10"]
    #[min = 1]
    #[max = 12]
    stage: u8,
    #[description = "Why: it goes into the audit trail"] reason: String,
) -> Result<(), Error> {
    answer(ctx, Command::StageRerun { stage, reason }, true).await
}

/// The team's data files: upload a new CSV or list what the stages read
#[poise::command(
    slash_command,
    subcommands("data_upload", "data_sources", "data_check"),
    subcommand_required
)]
async fn data(_: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Upload a CSV: you see a preview and confirm before it replaces the team's file
#[poise::command(slash_command, rename = "upload")]
async fn data_upload(
    ctx: Ctx<'_>,
    #[description = "The CSV file (e.g. leads.csv); its name says which input it is"]
    file: serenity::Attachment,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let caller = caller(ctx);
    let max = ctx.data().max_upload_bytes;
    if u64::from(file.size) > max {
        let reply = Reply::error(
            &caller.reference,
            format!(
                "{} is {} KB; uploads are limited to {} KB.",
                file.filename,
                file.size / 1024,
                max / 1024
            ),
        );
        tracing::info!(reference = %caller.reference, file = %file.filename, size = file.size, "upload refused: too large");
        ctx.send(create_reply(&reply)).await?;
        return Ok(());
    }
    let bytes = match download(&ctx.data().downloads, &file.url, max).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(reference = %caller.reference, error = %e, "upload download failed");
            ctx.send(create_reply(&Reply::error(
                &caller.reference,
                format!("Could not download {}: {e}", file.filename),
            )))
            .await?;
            return Ok(());
        }
    };
    let command = Command::DataUpload {
        file_name: file.filename.clone(),
        bytes,
    };
    tracing::info!(reference = %caller.reference, command = command.name(), user = %caller.user_id, "command");
    let reply = ctx.data().backend.handle(&caller, command).await;
    log_refusal(&caller, &reply);
    ctx.send(create_reply(&reply)).await?;
    Ok(())
}

async fn download(client: &reqwest::Client, url: &str, max: u64) -> Result<Vec<u8>, String> {
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .error_for_status()
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > max {
            return Err(format!("larger than {} KB", max / 1024));
        }
    }
    Ok(bytes)
}

/// The data files the stages read, where each comes from, and when it last changed
#[poise::command(slash_command, rename = "sources")]
async fn data_sources(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::DataSources, true).await
}

/// Check the team's data files before the stages read them: problems and stage readiness
#[poise::command(slash_command, rename = "check")]
async fn data_check(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::DataCheck, true).await
}

/// What you can do with Quarterdeck here (only what your roles allow)
#[poise::command(slash_command)]
async fn help(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::Help, true).await
}

/// Your roles as Quarterdeck sees them, and what they let you do
#[poise::command(slash_command)]
async fn whoami(ctx: Ctx<'_>) -> Result<(), Error> {
    answer(ctx, Command::WhoAmI, true).await
}

/// The permissions the bot needs in the team's channels, as the invite URL's integer:
/// View Channels, Send Messages, Embed Links, Attach Files, Read Message History, Add
/// Reactions, Create Public Threads, Send Messages in Threads.
pub const REQUIRED_PERMISSIONS: u64 =
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 35) | (1 << 38);

/// The URL that adds the bot to a server with the scopes and permissions it needs.
pub fn invite_url(application_id: &str) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope=bot%20applications.commands&permissions={REQUIRED_PERMISSIONS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invite_asks_for_exactly_the_documented_permissions() {
        assert_eq!(REQUIRED_PERMISSIONS, 309_237_763_136);
        let p = serenity::Permissions::from_bits_truncate(REQUIRED_PERMISSIONS);
        assert!(p.send_messages() && p.send_messages_in_threads() && p.create_public_threads());
        assert!(p.attach_files() && p.embed_links() && p.view_channel());
        assert!(!p.administrator() && !p.manage_messages() && !p.mention_everyone());
        assert!(
            invite_url("42")
                .ends_with("scope=bot%20applications.commands&permissions=309237763136")
        );
    }

    #[test]
    fn no_privileged_intent_is_asked_for() {
        let i = intents();
        assert!(!i.intersects(serenity::GatewayIntents::privileged()));
        assert!(i.contains(serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS));
    }

    #[test]
    fn command_descriptions_fit_discords_limits() {
        for c in commands() {
            for sub in std::iter::once(&c).chain(c.subcommands.iter()) {
                let d = sub.description.as_deref().unwrap_or_default();
                assert!(
                    !d.is_empty() && d.chars().count() <= 100,
                    "{}: {d}",
                    sub.name
                );
            }
        }
    }
}
