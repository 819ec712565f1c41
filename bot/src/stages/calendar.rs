//! Stage 8: not built yet (see the issue that builds it).

use super::{StageError, StageInputs, StageOutput};

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    Ok(super::inventory::not_built(8, inputs))
}
