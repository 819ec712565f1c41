//! Quarterdeck's Discord adapter: renders the neutral chat message as Discord requests
//! (pure, shared by `serve` and `simulate`'s `discord.jsonl`), delivers them exactly once
//! through Discord's REST API ([`chat::DiscordChat`], the domain's chat port), and serves
//! the slash commands and buttons over the gateway with serenity and poise
//! ([`gateway`]), asking the app through the [`port::Backend`] port. The engine and the
//! domain know nothing of Discord.

pub mod chat;
pub mod gateway;
pub mod jsonl;
pub mod modal;
mod people;
pub mod port;
mod reactions;
pub mod render;
pub mod rest;
pub mod spec;
mod timezone;
