//! Forms (Discord modals): the neutral [`Modal`] of the port as serenity's builder, and a
//! submitted form's values read back. Discord's limits: a title and each label at most
//! 45 characters, one to five text inputs, each in its own action row.

use poise::serenity_prelude as serenity;

use crate::port::Modal;
use crate::render::truncate;

/// Discord's limit on a modal's title and on a text input's label.
pub const TITLE: usize = 45;
/// Discord's limit on the inputs of one modal.
pub const INPUTS: usize = 5;

/// The modal that shows `modal`.
pub fn create(modal: &Modal) -> serenity::CreateModal {
    let rows = modal
        .inputs
        .iter()
        .take(INPUTS)
        .map(|i| {
            let style = if i.paragraph {
                serenity::InputTextStyle::Paragraph
            } else {
                serenity::InputTextStyle::Short
            };
            let mut input =
                serenity::CreateInputText::new(style, truncate(&i.label, TITLE), &i.custom_id)
                    .required(i.required);
            if let Some(p) = &i.placeholder {
                input = input.placeholder(truncate(p, 100));
            }
            if let Some(max) = i.max_length {
                input = input.max_length(max);
            }
            serenity::CreateActionRow::InputText(input)
        })
        .collect();
    serenity::CreateModal::new(&modal.custom_id, truncate(&modal.title, TITLE)).components(rows)
}

/// Each text input's (`custom_id`, value) of a submitted form, in its order; an empty
/// optional input has the value `""`.
pub fn values(data: &serenity::ModalInteractionData) -> Vec<(String, String)> {
    data.components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            serenity::ActionRowComponent::InputText(t) => {
                Some((t.custom_id.clone(), t.value.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect()
}
