//! Quarterdeck: runs a marketing team's quarterly planning as a persisted state machine.
