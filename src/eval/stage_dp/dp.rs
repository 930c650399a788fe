//! The DP over a contest's variable offers (see the parent module): its state is, per
//! contested line, a *class* (the keeper options still open to the line, as masks over the
//! offers not yet decided, interned per line); each layer decides one offer's lines.

use super::hash::HashMap;
use super::local::Local;

/// At most this many contested lines per offer (its table has `2^n` entries).
pub(super) const MAX_OFFER_LINES: usize = 10;
/// At most this many DP states in one layer; beyond, branch and bound decides.
const MAX_STATES: usize = 200_000;

/// One offer's contribution to a key: what it takes off, its priority if it applied, and
/// whether it applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Gain {
    /// Minus the discount, so that smaller is better in every field.
    pub neg_discount: i64,
    pub neg_priority: i128,
    pub applied: usize,
}

impl std::ops::Add for Gain {
    type Output = Gain;
    fn add(self, b: Gain) -> Gain {
        Gain {
            neg_discount: self.neg_discount + b.neg_discount,
            neg_priority: self.neg_priority + b.neg_priority,
            applied: self.applied + b.applied,
        }
    }
}

/// A DP layer entry: the best gain reaching a state, the state before and the subset
/// taken (for the way back).
#[derive(Clone, Copy)]
struct Node {
    gain: Gain,
    from: u128,
    taken: u32,
}

pub(super) struct Dp {
    /// Per variable offer (in application order): the contested lines it may keep
    /// (positions into `contested`) and its gain per subset of them.
    lines: Vec<Vec<usize>>,
    pub tables: Vec<Vec<Gain>>,
    /// Per contested line: the distinct option sets seen (as masks over the variable
    /// offers still to decide), interned.
    classes: Vec<Vec<Vec<u64>>>,
    ids: Vec<HashMap<Vec<u64>, u8>>,
    pub deadline: crate::eval::Deadline,
    /// Per variable offer, line position and class: the classes after the offer leaves
    /// or keeps the line (`None`: no option allows it), filled as runs need them.
    #[allow(clippy::type_complexity)]
    trans: Vec<Vec<Vec<Option<[Option<u8>; 2]>>>>,
    /// Work done, for the caller's accounting.
    pub steps: usize,
    /// A run stops (too large) once `steps` passes this.
    pub step_cap: usize,
    /// The per-line offers, decided last (see [`super::local`]).
    pub local: Option<Local>,
}

/// Records `node` as the way to state `to` of a layer unless a way as good is there (the
/// first of equal gains stays).
fn reach(layer: &mut HashMap<u128, Node>, to: u128, node: Node) {
    match layer.entry(to) {
        std::collections::hash_map::Entry::Occupied(mut e) => {
            if node.gain < e.get().gain {
                *e.get_mut() = node;
            }
        }
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(node);
        }
    }
}

/// The lines' option masks of one state.
pub(super) fn field(state: u128, pos: usize) -> u8 {
    (state >> (8 * pos)) as u8
}

pub(super) fn with_field(state: u128, pos: usize, class: u8) -> u128 {
    (state & !(0xffu128 << (8 * pos))) | (u128::from(class) << (8 * pos))
}

impl Dp {
    /// A DP over the variable offers' `lines` (positions among `n_lines` contested lines)
    /// and their `tables`.
    fn new(
        lines: Vec<Vec<usize>>,
        tables: Vec<Vec<Gain>>,
        n_lines: usize,
        deadline: crate::eval::Deadline,
    ) -> Dp {
        Dp {
            lines,
            tables,
            classes: vec![Vec::new(); n_lines],
            ids: vec![HashMap::default(); n_lines],
            deadline,
            trans: Vec::new(),
            steps: 0,
            step_cap: usize::MAX,
            local: None,
        }
    }

    /// Turns the per-line offers' cut on or off (see [`super::local`]).
    pub fn set_local(&mut self, active: bool) {
        if let Some(local) = &mut self.local {
            local.active = active;
        }
    }

    /// Class `class` of line `pos` cut down to its options whose per-line offers take the
    /// most off the line, and that most (see [`super::local`]).
    fn restricted(&mut self, pos: usize, class: u8) -> Option<(u8, i64)> {
        let local = self.local.as_ref()?;
        let ci = usize::from(class);
        if let Some(&Some(hit)) = local.cache[pos].get(ci) {
            return Some(hit);
        }
        let masks = &self.classes[pos][ci];
        let most = masks.iter().map(|&m| local.take(pos, m)).max().unwrap_or(0);
        let kept: Vec<u64> = masks
            .iter()
            .copied()
            .filter(|&m| local.take(pos, m) == most)
            .collect();
        let id = self.intern(pos, kept)?;
        let cache = &mut self.local.as_mut()?.cache[pos];
        if cache.len() <= ci {
            cache.resize(ci + 1, None);
        }
        cache[ci] = Some((id, most));
        Some((id, most))
    }

    /// Enters the per-line offers' layers: every state's lines keep only their options
    /// that take the most off them, and the states' gains count that most.
    fn restrict(&mut self, layer: &mut HashMap<u128, Node>) -> Result<(), ()> {
        let n_lines = self.classes.len();
        let mut states: Vec<(u128, Node)> = layer.drain().collect();
        // A fixed order, so that equal gains keep the same way back on every run.
        states.sort_unstable_by_key(|&(s, _)| s);
        for (s, node) in states {
            let mut to = s;
            let mut gain = node.gain;
            for pos in 0..n_lines {
                let (class, most) = self.restricted(pos, field(s, pos)).ok_or(())?;
                to = with_field(to, pos, class);
                gain.neg_discount -= most;
            }
            self.steps += n_lines;
            reach(layer, to, Node { gain, ..node });
        }
        Ok(())
    }

    /// [`Dp::new`] with its per-line offers (see [`super::local`]), and the state of the
    /// lines' options `line_masks` (`None`: too many of them).
    pub fn with_start(
        lines: Vec<Vec<usize>>,
        tables: Vec<Vec<Gain>>,
        local: Option<Local>,
        line_masks: &[Vec<u64>],
        deadline: crate::eval::Deadline,
    ) -> Option<(Dp, u128)> {
        let mut dp = Dp::new(lines, tables, line_masks.len(), deadline);
        dp.local = local;
        let mut init: u128 = 0;
        for (pos, masks) in line_masks.iter().enumerate() {
            init = with_field(init, pos, dp.intern(pos, masks.clone())?);
        }
        Some((dp, init))
    }

    pub fn intern(&mut self, pos: usize, mut masks: Vec<u64>) -> Option<u8> {
        masks.sort_unstable();
        masks.dedup();
        if let Some(&id) = self.ids[pos].get(&masks) {
            return Some(id);
        }
        let id = u8::try_from(self.classes[pos].len()).ok()?;
        self.classes[pos].push(masks.clone());
        self.ids[pos].insert(masks, id);
        Some(id)
    }

    /// The class of line `pos` after offer `j` keeps it (`keep`) or not; `None` when no
    /// option allows that.
    fn step(&mut self, pos: usize, class: u8, j: usize, keep: bool) -> Option<Option<u8>> {
        let bit = 1u64 << j;
        let next: Vec<u64> = self.classes[pos][usize::from(class)]
            .iter()
            .filter(|&&m| (m & bit != 0) == keep)
            .map(|&m| m & !bit)
            .collect();
        if next.is_empty() {
            return Some(None);
        }
        self.intern(pos, next).map(Some)
    }

    /// The DP's layers after `layers[0]`, one per variable offer (`Err`: too large or out
    /// of time).
    #[allow(clippy::type_complexity)]
    fn layers(
        &mut self,
        layers: &mut Vec<HashMap<u128, Node>>,
        trans: &mut [Vec<Vec<Option<[Option<u8>; 2]>>>],
    ) -> Result<(), ()> {
        for j in 0..self.lines.len() {
            if self.deadline.passed() {
                return Err(());
            }
            if self
                .local
                .as_ref()
                .is_some_and(|l| l.active && l.first == j)
            {
                self.restrict(&mut layers[j])?;
            }
            let trans = &mut trans[j];
            let mut states: Vec<(u128, Gain)> =
                layers[j].iter().map(|(&s, n)| (s, n.gain)).collect();
            // A fixed order, so that equal gains keep the same way back on every run.
            states.sort_unstable_by_key(|&(s, _)| s);
            let lines = self.lines[j].clone();
            let mut next: HashMap<u128, Node> =
                HashMap::with_capacity_and_hasher(states.len(), Default::default());
            'states: for (s, gain) in states {
                // Too large, or out of time, as soon as it shows (a layer may grow by
                // `2^MAX_OFFER_LINES` states per state before it ends).
                if next.len() > MAX_STATES
                    || self.steps > self.step_cap
                    || (next.len() % 1024 == 0 && self.deadline.passed())
                {
                    return Err(());
                }
                // Per line of the offer: forced in, forced out, or free.
                let mut forced: u32 = 0;
                // At most `MAX_OFFER_LINES` lines per offer.
                let mut free_at = [0usize; MAX_OFFER_LINES];
                let mut n_free = 0;
                let mut outs: [u8; 64] = [0; 64];
                let mut ins: [u8; 64] = [0; 64];
                for (b, &pos) in lines.iter().enumerate() {
                    let c = field(s, pos);
                    let ci = usize::from(c);
                    if trans[pos].len() <= ci {
                        trans[pos].resize(ci + 1, None);
                    }
                    let t = match trans[pos][ci] {
                        Some(t) => t,
                        None => {
                            let out = self.step(pos, c, j, false).ok_or(())?;
                            let inn = self.step(pos, c, j, true).ok_or(())?;
                            trans[pos][ci] = Some([out, inn]);
                            [out, inn]
                        }
                    };
                    match t {
                        [None, None] => continue 'states,
                        [Some(o), None] => outs[b] = o,
                        [None, Some(i)] => {
                            forced |= 1 << b;
                            ins[b] = i;
                        }
                        [Some(o), Some(i)] => {
                            outs[b] = o;
                            ins[b] = i;
                            free_at[n_free] = b;
                            n_free += 1;
                        }
                    }
                }
                let free = &free_at[..n_free];
                // Every subset of the free lines, in Gray-code order: each next one flips
                // one line, so the next state is one `xor` away.
                let mut to = s;
                for (b, &pos) in lines.iter().enumerate() {
                    let c = if forced & (1 << b) != 0 {
                        ins[b]
                    } else {
                        outs[b]
                    };
                    to = with_field(to, pos, c);
                }
                let mut flip = [0u128; MAX_OFFER_LINES];
                for (f, &b) in flip.iter_mut().zip(free) {
                    *f = u128::from(outs[b] ^ ins[b]) << (8 * lines[b]);
                }
                let mut taken = forced;
                for sub in 0u32..(1 << free.len()) {
                    if sub > 0 {
                        let i = sub.trailing_zeros() as usize;
                        to ^= flip[i];
                        taken ^= 1 << free[i];
                    }
                    self.steps += 1;
                    let gain = gain + self.tables[j][taken as usize];
                    reach(
                        &mut next,
                        to,
                        Node {
                            gain,
                            from: s,
                            taken,
                        },
                    );
                }
            }
            if next.len() > MAX_STATES {
                return Err(());
            }
            layers.push(next);
        }
        Ok(())
    }

    /// The lowest total gain over choices whose lines start in `init` (a class per line),
    /// and, with `path`, each line's final option mask in one choice reaching it.
    /// `None` when there is no choice or the DP is too large or out of time (then
    /// `Some(Err(()))`).
    #[allow(clippy::type_complexity)]
    pub fn run(&mut self, init: u128, path: bool) -> Result<Option<(Gain, Vec<u64>)>, ()> {
        let n_lines = self.classes.len();
        let mut layers: Vec<HashMap<u128, Node>> = Vec::with_capacity(self.lines.len() + 1);
        let mut first = HashMap::default();
        first.insert(
            init,
            Node {
                gain: Gain::default(),
                from: init,
                taken: 0,
            },
        );
        layers.push(first);
        if self.trans.is_empty() {
            self.trans = vec![vec![Vec::new(); n_lines]; self.lines.len()];
        }
        // Per offer, line position and class: the two transitions, kept across runs.
        let mut trans = std::mem::take(&mut self.trans);
        let found = self.layers(&mut layers, &mut trans);
        self.trans = trans;
        found?;
        // Every line must end on a complete option: the class holding the empty mask.
        let mut end: u128 = 0;
        for pos in 0..n_lines {
            let id = self.intern(pos, vec![0]).ok_or(())?;
            end = with_field(end, pos, id);
        }
        let Some(last) = layers.last().and_then(|l| l.get(&end)) else {
            return Ok(None);
        };
        let gain = last.gain;
        if !path {
            return Ok(Some((gain, Vec::new())));
        }
        let mut masks = vec![0u64; n_lines];
        let mut s = end;
        for j in (0..self.lines.len()).rev() {
            let node = layers[j + 1][&s];
            for (b, &pos) in self.lines[j].iter().enumerate() {
                if node.taken & (1 << b) != 0 {
                    masks[pos] |= 1 << j;
                }
            }
            s = node.from;
        }
        Ok(Some((gain, masks)))
    }
}
