//! Operators' names: the `[[operators]]` of a scenario have their own; a generated operator
//! is `op<index>`. Only the named ones are stored (a million generated operators took 24 MB
//! of empty slots).

/// The names of the named operators, by operator index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperatorNames {
    /// (operator index, name), by index.
    named: Vec<(u32, String)>,
}

impl OperatorNames {
    /// Operator `i`'s own name, if it has one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let at = self.named.binary_search_by_key(&i, |&(j, _)| j as usize).ok()?;
        Some(&self.named[at].1)
    }

    /// Operator `i`'s name: its own, or `op<i>`.
    pub fn name(&self, i: usize) -> String {
        self.get(i).map_or_else(|| format!("op{i}"), str::to_string)
    }

    /// Names operator `i` (replacing a name it had).
    pub fn insert(&mut self, i: usize, name: String) {
        let i = u32::try_from(i).expect("operator indices fit in u32");
        match self.named.binary_search_by_key(&i, |&(j, _)| j) {
            Ok(at) => self.named[at].1 = name,
            Err(at) => self.named.insert(at, (i, name)),
        }
    }

    /// The names after the operators were renumbered, operator `i` becoming `to(i)`.
    pub fn renumbered(&self, to: impl Fn(usize) -> usize) -> OperatorNames {
        let mut out = OperatorNames::default();
        for (i, name) in &self.named {
            out.insert(to(*i as usize), name.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a name found at the wrong index (a search on an unsorted list after an
    /// insertion out of order), or a generated operator given a named one's name.
    #[test]
    fn names_by_index() {
        let mut n = OperatorNames::default();
        n.insert(7, "Foundry".into());
        n.insert(2, "Mara".into());
        n.insert(7, "Foundry USA".into());
        assert_eq!(
            (n.name(2), n.name(7), n.name(3), n.name(0)),
            ("Mara".into(), "Foundry USA".into(), "op3".into(), "op0".into())
        );
        let r = n.renumbered(|i| 9 - i);
        assert_eq!((r.get(7), r.get(2), r.name(7)), (Some("Mara"), Some("Foundry USA"), "Mara".into()));
    }
}
