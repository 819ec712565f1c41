//! Owners for pieces of work, balancing load against capacity.
//!
//! Greedy longest-processing-time rule: tasks are taken largest first (ties in input
//! order); each goes to the eligible person whose utilisation after taking it,
//! `(load + hours) / capacity`, is lowest (ties: lower current load, then roster order).
//! A person with no capacity is chosen only when nobody eligible has any. A task whose
//! eligible list is empty may go to anyone. LPT is within 4/3 of the best possible
//! maximum load for identical people (Graham 1969) and is easy to explain to a team.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    /// Hours available over the period the tasks span.
    pub capacity_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub hours: f64,
    /// Indexes into the people who may take it; empty = anyone.
    pub eligible: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Per task, the index of its owner.
    pub owner: Vec<usize>,
    /// Per person, hours assigned.
    pub load: Vec<f64>,
}

/// Assigns every task; `None` when there is nobody to assign to.
pub fn assign(people: &[Person], tasks: &[Task]) -> Option<Assignment> {
    if people.is_empty() {
        return None;
    }
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    order.sort_by(|a, b| tasks[*b].hours.total_cmp(&tasks[*a].hours).then(a.cmp(b)));
    let mut load = vec![0.0; people.len()];
    let mut owner = vec![0; tasks.len()];
    let everyone: Vec<usize> = (0..people.len()).collect();
    for t in order {
        let task = &tasks[t];
        let pool = if task.eligible.is_empty() {
            &everyone
        } else {
            &task.eligible
        };
        let utilisation = |p: usize| {
            let c = people[p].capacity_hours;
            if c > 0.0 {
                (load[p] + task.hours) / c
            } else {
                f64::INFINITY
            }
        };
        let best = pool
            .iter()
            .copied()
            .filter(|p| *p < people.len())
            .min_by(|a, b| {
                utilisation(*a)
                    .total_cmp(&utilisation(*b))
                    .then(load[*a].total_cmp(&load[*b]))
                    .then(a.cmp(b))
            })?;
        owner[t] = best;
        load[best] += task.hours;
    }
    Some(Assignment { owner, load })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, capacity_hours: f64) -> Person {
        Person {
            name: name.into(),
            capacity_hours,
        }
    }

    fn task(hours: f64, eligible: &[usize]) -> Task {
        Task {
            hours,
            eligible: eligible.to_vec(),
        }
    }

    #[test]
    fn the_largest_task_goes_first_to_whoever_ends_least_loaded() {
        // A has 10 h, B 20 h. Task 8: A would be at 0.8, B at 0.4 → B. Task 6: A 0.6,
        // B 0.7 → A. Task 4: A 1.0, B 0.6 → B. Loads A 6, B 12.
        let people = [person("A", 10.0), person("B", 20.0)];
        let tasks = [task(4.0, &[]), task(8.0, &[]), task(6.0, &[])];

        let a = assign(&people, &tasks).unwrap();

        assert_eq!(a.owner, [1, 1, 0]);
        assert_eq!(a.load, [6.0, 12.0]);
    }

    #[test]
    fn only_eligible_people_take_a_task_even_when_overloaded() {
        let people = [person("A", 1.0), person("B", 100.0)];
        let tasks = [task(5.0, &[0]), task(5.0, &[0])];

        let a = assign(&people, &tasks).unwrap();

        assert_eq!(a.owner, [0, 0]);
        assert_eq!(a.load, [10.0, 0.0]);
    }

    #[test]
    fn nobody_on_the_roster_means_no_assignment() {
        assert_eq!(assign(&[], &[task(1.0, &[])]), None);
    }
}
