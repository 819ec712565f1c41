//! The Discord adapter end to end: the simulated quarter's requests checked against
//! Discord's spec and limits, and `serve` against a local Discord emulator.

mod bot;
mod checkins;
mod emulator;
mod payloads;
mod people;
mod quarter;
mod serve;
mod tally;
mod timezone;
