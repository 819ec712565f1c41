//! Who did something: a person (or simulated person) with the roles they held at the time.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Stable id (a Discord user id in production).
    pub id: String,
    /// Display name, for posts and the audit trail.
    pub name: String,
    /// Role ids held when the action was taken.
    pub roles: Vec<String>,
}

impl Actor {
    pub fn new(id: impl Into<String>, name: impl Into<String>, roles: &[&str]) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    /// The scheduler and the engine itself.
    pub fn system() -> Self {
        Self::new("system", "Quarterdeck", &[])
    }

    pub fn has_any_role(&self, roles: &[String]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}
