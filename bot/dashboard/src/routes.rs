//! HTTP: every route but `/healthz` lives under `/d/TEAM/QUARTER/` and needs the link's
//! token; a missing, expired or forged token gets the same 403 page, which holds no
//! figures. Responses are never cached and send no referrer (the token is in the URL).

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use quarterdeck_store::Store;
use tokio::sync::watch;

use super::KeySource;
use super::export;
use super::live::{self, Watchers};
use super::page::{self, Links};
use super::snapshot::Snapshot;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub key: KeySource,
    pub watchers: Watchers,
    pub shutdown: watch::Receiver<bool>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/d/{team}/{quarter}", get(page_handler))
        .route("/d/{team}/{quarter}/fragment", get(fragment_handler))
        .route("/d/{team}/{quarter}/events", get(events_handler))
        .route("/d/{team}/{quarter}/export/{file}", get(export_handler))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                plain_page("Not found", "There is no page here."),
            )
        })
        .with_state(state)
}

type Params = Query<HashMap<String, String>>;

/// A request that passed the token check: its run and its links.
struct Authorised {
    run_id: String,
    links: Links,
}

async fn authorise(
    state: &AppState,
    team: &str,
    quarter: &str,
    params: &HashMap<String, String>,
) -> Result<Authorised, Response> {
    let token = params.get("token").map(String::as_str);
    let key = match state.key.current().await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "dashboard: no signing key");
            return Err(forbidden());
        }
    };
    if let Err(why) = key.verify(team, quarter, token, Utc::now()) {
        // The reason, never the token.
        tracing::info!(?why, "dashboard: link refused");
        return Err(forbidden());
    }
    let run_id = match state.store.run_id_of(team, quarter).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            return Err((
                StatusCode::NOT_FOUND,
                plain_page(
                    "No such quarter",
                    "This team has no run for this quarter yet.",
                ),
            )
                .into_response());
        }
        Err(e) => return Err(internal(&e)),
    };
    Ok(Authorised {
        run_id,
        links: Links {
            base: format!("/d/{team}/{quarter}"),
            query: format!("token={}", token.unwrap_or_default()),
        },
    })
}

async fn snapshot(state: &AppState, run_id: &str) -> Result<Snapshot, Response> {
    match Snapshot::load(&state.store, run_id).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err((
            StatusCode::NOT_FOUND,
            plain_page("No such quarter", "The run is gone."),
        )
            .into_response()),
        Err(e) => Err(internal(&e)),
    }
}

async fn page_handler(
    State(state): State<AppState>,
    Path((team, quarter)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let auth = match authorise(&state, &team, &quarter, &params).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match snapshot(&state, &auth.run_id).await {
        Ok(s) => html(page::render(&s, &auth.links), s.mark.version),
        Err(r) => r,
    }
}

async fn fragment_handler(
    State(state): State<AppState>,
    Path((team, quarter)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let auth = match authorise(&state, &team, &quarter, &params).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match snapshot(&state, &auth.run_id).await {
        Ok(s) => html(page::main_fragment(&s, &auth.links), s.mark.version),
        Err(r) => r,
    }
}

async fn events_handler(
    State(state): State<AppState>,
    Path((team, quarter)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let auth = match authorise(&state, &team, &quarter, &params).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let current = match state.store.run_mark(&auth.run_id).await {
        Ok(Some(m)) => m.version,
        Ok(None) => 0,
        Err(e) => return internal(&e),
    };
    let versions = state.watchers.subscribe(&auth.run_id, current);
    let mut r = live::stream(versions, state.shutdown.clone()).into_response();
    secure_headers(r.headers_mut());
    r
}

async fn export_handler(
    State(state): State<AppState>,
    Path((team, quarter, file)): Path<(String, String, String)>,
    Query(params): Params,
) -> Response {
    let auth = match authorise(&state, &team, &quarter, &params).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = match snapshot(&state, &auth.run_id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let stem = format!("{team}-{quarter}");
    let plan_doc = || async {
        let v = s
            .run
            .approved_version
            .or_else(|| s.run.latest_plan().map(|p| p.version))?;
        state
            .store
            .plan_doc(&auth.run_id, i64::from(v))
            .await
            .ok()
            .flatten()
    };
    let (bytes, content_type, name) = match file.as_str() {
        "plan.html" | "plan.md" => {
            let Some(doc) = plan_doc().await else {
                return not_yet("The plan has not been drafted yet.");
            };
            if file == "plan.html" {
                (
                    doc.html.into_bytes(),
                    "text/html; charset=utf-8",
                    format!("{stem}-plan-v{}.html", doc.version),
                )
            } else {
                (
                    doc.markdown.into_bytes(),
                    "text/markdown; charset=utf-8",
                    format!("{stem}-plan-v{}.md", doc.version),
                )
            }
        }
        "calendar.ics" => match state
            .store
            .latest_attachment_named(&auth.run_id, "campaign-calendar.ics")
            .await
        {
            Ok(Some(a)) => (
                a.bytes,
                "text/calendar; charset=utf-8",
                format!("{stem}-calendar.ics"),
            ),
            Ok(None) => return not_yet("The campaign calendar (stage 8) has not been posted yet."),
            Err(e) => return internal(&e),
        },
        "checkins.csv" => (
            export::checkins_csv(&s.run),
            "text/csv; charset=utf-8",
            format!("{stem}-checkins.csv"),
        ),
        "pacing.csv" => (
            export::pacing_csv(&s.pacing()),
            "text/csv; charset=utf-8",
            format!("{stem}-pacing.csv"),
        ),
        "audit.csv" => (
            export::audit_csv(&s.audit),
            "text/csv; charset=utf-8",
            format!("{stem}-audit.csv"),
        ),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                plain_page("Not found", "No such export."),
            )
                .into_response();
        }
    };
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    secure_headers(h);
    r
}

fn html(body: String, version: i64) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert("x-run-version", HeaderValue::from(version));
    secure_headers(h);
    r
}

fn secure_headers(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
}

/// The refusal: the same page for every reason, with nothing of the plan in it.
fn forbidden() -> Response {
    let mut r = (
        StatusCode::FORBIDDEN,
        plain_page(
            "Link not valid",
            "This dashboard link is missing its token, has expired or is not valid. Ask the bot for a new one with /plan dashboard.",
        ),
    )
        .into_response();
    secure_headers(r.headers_mut());
    r
}

fn not_yet(what: &str) -> Response {
    (StatusCode::NOT_FOUND, plain_page("Not yet", what)).into_response()
}

fn internal(e: &quarterdeck_store::StoreError) -> Response {
    tracing::error!(error = %e, "dashboard: store read failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        plain_page(
            "Unavailable",
            "The dashboard cannot read the database right now.",
        ),
    )
        .into_response()
}

fn plain_page(title: &str, text: &str) -> axum::response::Html<String> {
    axum::response::Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{t}</title></head><body><main><h1>{t}</h1><p>{x}</p></main></body></html>"#,
        t = super::html::esc(title),
        x = super::html::esc(text)
    ))
}
