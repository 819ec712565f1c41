//! Shapley attribution (Zhao et al. 2018, "Shapley Value Methods for Attribution
//! Modeling in Online Advertising"): the game v(S) = conversions (or value) of the
//! journeys whose set of channels is a subset of S. Writing w_T for the conversions of
//! journeys with channel set exactly T, v(S) = Σ_{T ⊆ S} w_T is a sum of unanimity games
//! u_T, and the Shapley value of w_T·u_T gives w_T/|T| to each member of T (and nothing
//! to others). By linearity the exact Shapley value is φ_i = Σ_{T ∋ i} w_T / |T|: one
//! pass over the distinct channel sets, no enumeration of coalitions.

/// Adds each journey set's weight, split equally over its distinct channels.
/// `set` must be sorted and free of duplicates.
pub fn spread(
    set: &[u16],
    conversions: f64,
    value: f64,
    conv_credit: &mut [f64],
    value_credit: &mut [f64],
) {
    if set.is_empty() {
        return;
    }
    let k = set.len() as f64;
    for c in set {
        conv_credit[usize::from(*c)] += conversions / k;
        value_credit[usize::from(*c)] += value / k;
    }
}
