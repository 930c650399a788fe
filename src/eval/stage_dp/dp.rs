//! The DP over a contest's variable offers (see the parent module): its state is, per
//! contested line, a *class* (the keeper options still open to the line, as masks over the
//! offers not yet decided, interned per line); each layer decides one offer's lines.

use super::hash::HashMap;
use super::local::Local;

/// At most this many contested lines per offer (its table has `2^n` entries).
pub(super) const MAX_OFFER_LINES: usize = 10;
/// At most this many DP states in one layer; beyond, branch and bound decides.
const MAX_STATES: usize = 200_000;
/// Transitions a new state of a layer counts as, besides its own: it grows the layer's
/// index and list, and where layers are large it misses the cache (measured, the time per
/// transition then rose from 16 to 26 ns, and such quotes overran their budget's time).
const NEW_STATE_STEPS: usize = 2;
/// Where a state counts its applied offers (see [`Dp::least_applied`]): the top byte, so
/// that the lines' fields below are untouched.
const APPLIED_SHIFT: u32 = 120;
/// Most contested lines whose fields leave the top byte free.
pub(super) const MAX_COUNTED_LINES: usize = 15;
/// Transitions between two looks at the clock (about 0.1 ms of work).
const CLOCK_STEPS: usize = 4096;

/// One offer's contribution to a key: what it takes off, its priority if it applied, and
/// whether it applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Gain {
    /// Minus the discount, so that smaller is better in every field.
    pub neg_discount: i64,
    /// In `i64`: [`super::solve`] declines a contest whose priorities could overflow it
    /// (a smaller gain makes the DP's layers smaller and quicker).
    pub neg_priority: i64,
    pub applied: u32,
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

/// Each variable offer's gain per subset of its contested lines, and its lowest
/// discount part (for [`Dp::cap`]).
pub(super) struct Tables {
    pub gains: Vec<Vec<Gain>>,
    lows: Vec<i64>,
}

impl Tables {
    pub fn new(gains: Vec<Vec<Gain>>) -> Tables {
        let lows = gains
            .iter()
            .map(|t| t.iter().map(|g| g.neg_discount).min().unwrap_or(0))
            .collect();
        Tables { gains, lows }
    }
}

/// A DP layer entry: the best gain reaching a state, the state before (its index in the
/// layer before) and the subset taken (for the way back).
#[derive(Clone, Copy)]
struct Node {
    gain: Gain,
    from: u32,
    taken: u32,
}

/// One DP layer: its states in the order first reached, and an index by state. Runs
/// visit states in that order, which depends only on the run's start, so equal gains keep
/// the same way back on every run without sorting.
#[derive(Default)]
struct Layer {
    states: Vec<(u128, Node)>,
    /// Empty while the layer has at most [`SMALL_LAYER`] states (they are searched in
    /// the list), then every state's place in the list.
    index: HashMap<u128, u32>,
}

/// Layers up to this many states have no index: most runs below the root have a state
/// or two per layer, where hashing and clearing the index cost more than a look along
/// the list.
const SMALL_LAYER: usize = 8;

impl Layer {
    /// Records `node` as the way to state `to` unless a way as good is there (the first of
    /// equal gains stays).
    fn reach(&mut self, to: u128, node: Node) {
        if self.states.len() <= SMALL_LAYER && self.index.is_empty() {
            if let Some((_, slot)) = self.states.iter_mut().find(|(s, _)| *s == to) {
                if node.gain < slot.gain {
                    *slot = node;
                }
                return;
            }
            self.states.push((to, node));
            if self.states.len() > SMALL_LAYER {
                for (i, (s, _)) in self.states.iter().enumerate() {
                    self.index.insert(*s, i as u32);
                }
            }
            return;
        }
        match self.index.entry(to) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let slot = &mut self.states[*e.get() as usize].1;
                if node.gain < slot.gain {
                    *slot = node;
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                // A layer holds at most `MAX_STATES` (plus one offer's subsets) states.
                e.insert(self.states.len() as u32);
                self.states.push((to, node));
            }
        }
    }

    fn get(&self, state: u128) -> Option<&Node> {
        if self.index.is_empty() {
            return self
                .states
                .iter()
                .find(|(s, _)| *s == state)
                .map(|(_, n)| n);
        }
        self.index.get(&state).map(|&i| &self.states[i as usize].1)
    }

    fn clear(&mut self) {
        self.clear_index();
        self.states.clear();
    }

    /// Empties the index (the list stays).
    fn clear_index(&mut self) {
        if self.index.is_empty() {
            return;
        }
        // Clearing an index writes every bucket, however few are used (that was a tenth
        // of a walk's time): a layer much smaller than its index is taken out state by
        // state.
        if self.states.len() * 8 < self.index.capacity() {
            for (s, _) in &self.states {
                self.index.remove(s);
            }
        } else if self.index.capacity() > 4096 {
            // An index grown by one large run would make every later clear slow.
            self.index = HashMap::default();
        } else {
            self.index.clear();
        }
    }
}

pub(super) struct Dp {
    /// Per variable offer (in application order): the contested lines it may keep
    /// (positions into `contested`) and its gain per subset of them.
    lines: Vec<Vec<usize>>,
    pub tables: Tables,
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
    /// `steps` at which the deadline is looked at next: reading the clock every layer
    /// took a tenth of the DP's time on small layers.
    next_clock: usize,
    /// The per-line offers, decided last (see [`super::local`]).
    pub local: Option<Local>,
    /// Scratch kept across runs: the layers (their lists and indexes), and a spare list
    /// for [`Dp::restrict`].
    pool: Vec<Layer>,
    spare: Vec<(u128, Node)>,
    /// The state with every line on a complete option, once interned.
    end: Option<u128>,
    /// Totals whose discount part is above this are not wanted (set by the walks): a
    /// state whose gain plus the most the offers after it could still add is above it is
    /// dropped, so a run that finds nothing wanted answers `None`.
    pub cap: Option<i64>,
    /// Per layer, the most the later offers may still add, for the cap (see
    /// [`Dp::fill_rest`]).
    rest: Vec<i64>,
    /// States also count the applied offers, at most this many (see
    /// [`Dp::least_applied`]).
    counted: Option<u32>,
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
            tables: Tables::new(tables),
            classes: vec![Vec::new(); n_lines],
            ids: vec![HashMap::default(); n_lines],
            deadline,
            trans: Vec::new(),
            steps: 0,
            step_cap: usize::MAX,
            next_clock: 0,
            local: None,
            pool: Vec::new(),
            spare: Vec::new(),
            end: None,
            cap: None,
            rest: Vec::new(),
            counted: None,
        }
    }

    /// Per layer `j`, the lowest discount part the offers from `j` on can still add (each
    /// its table's lowest), with the per-line offers' cut counted in layers up to theirs
    /// (each line at most what all of them take off it, cut at the line): `rest[j]` for a
    /// state of layer `j` before the cut, `rest[n + 1 + j]` after it.
    fn fill_rest(&mut self) {
        let n = self.tables.lows.len();
        self.rest.clear();
        self.rest.resize(2 * (n + 1), 0);
        for j in (0..n).rev() {
            self.rest[n + 1 + j] = self.rest[n + 1 + j + 1] + self.tables.lows[j];
        }
        let (first, cut) = match &self.local {
            Some(local) if local.active => (local.first, local.most),
            _ => (usize::MAX, 0),
        };
        for j in 0..=n {
            self.rest[j] = self.rest[n + 1 + j] - if j <= first { cut } else { 0 };
        }
    }

    /// Whether the deadline has passed, looked at once per [`CLOCK_STEPS`] transitions.
    fn clock_passed(&mut self) -> bool {
        if self.steps < self.next_clock {
            return false;
        }
        self.next_clock = self.steps + CLOCK_STEPS;
        self.deadline.passed()
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
    fn restrict(&mut self, layer: &mut Layer) -> Result<(), ()> {
        let n_lines = self.classes.len();
        // The layer's list is swapped with the spare one, so that no run allocates.
        layer.clear_index();
        let mut states = std::mem::replace(&mut layer.states, std::mem::take(&mut self.spare));
        layer.states.clear();
        for &(s, node) in &states {
            let mut to = s;
            let mut gain = node.gain;
            for pos in 0..n_lines {
                let (class, most) = self.restricted(pos, field(s, pos)).ok_or(())?;
                to = with_field(to, pos, class);
                gain.neg_discount -= most;
            }
            self.steps += n_lines;
            layer.reach(to, Node { gain, ..node });
        }
        states.clear();
        self.spare = states;
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

    /// The DP's layers after `layers[0]`, one per variable offer, into `layers[1..]`
    /// (`Err`: too large or out of time).
    #[allow(clippy::type_complexity)]
    fn layers(
        &mut self,
        layers: &mut [Layer],
        trans: &mut [Vec<Vec<Option<[Option<u8>; 2]>>>],
        offer_lines: &[Vec<usize>],
    ) -> Result<(), ()> {
        let n = offer_lines.len();
        // The per-line offers' first layer, where their cut is made (none when off).
        let first = self
            .local
            .as_ref()
            .filter(|l| l.active)
            .map_or(usize::MAX, |l| l.first);
        for (j, lines) in offer_lines.iter().enumerate() {
            if j == first {
                self.restrict(&mut layers[j])?;
            }
            let (done, after) = layers.split_at_mut(j + 1);
            let here = &done[j];
            let next = &mut after[0];
            let trans = &mut trans[j];
            // What the offers after this one may still add: into layer `j + 1`, the cut
            // not yet made unless that layer is past the per-line offers' first.
            let cap = self
                .cap
                .map(|c| c - self.rest[if j < first { j + 1 } else { n + 1 + j + 1 }]);
            let here_cap = self
                .cap
                .map(|c| c - self.rest[if j < first { j } else { n + 1 + j }]);
            next.states.reserve(here.states.len());
            'states: for (from, &(s, node)) in here.states.iter().enumerate() {
                let gain = node.gain;
                if here_cap.is_some_and(|c| gain.neg_discount > c) {
                    continue;
                }
                // Too large, or out of time, as soon as it shows (a layer may grow by
                // `2^MAX_OFFER_LINES` states per state before it ends).
                if next.states.len() > MAX_STATES
                    || self.steps > self.step_cap
                    || self.clock_passed()
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
                let table = &self.tables.gains[j];
                for sub in 0u32..(1 << free.len()) {
                    if sub > 0 {
                        let i = sub.trailing_zeros() as usize;
                        to ^= flip[i];
                        taken ^= 1 << free[i];
                    }
                    let entry = table[taken as usize];
                    let gain = gain + entry;
                    if cap.is_some_and(|c| gain.neg_discount > c) {
                        continue;
                    }
                    let to = match self.counted {
                        Some(most) => {
                            if (to >> APPLIED_SHIFT) as u32 + entry.applied > most {
                                continue;
                            }
                            to + (u128::from(entry.applied) << APPLIED_SHIFT)
                        }
                        None => to,
                    };
                    next.reach(
                        to,
                        Node {
                            gain,
                            from: from as u32,
                            taken,
                        },
                    );
                }
                self.steps += 1 << free.len();
            }
            self.steps += next.states.len() * NEW_STATE_STEPS;
            if next.states.len() > MAX_STATES {
                return Err(());
            }
        }
        Ok(())
    }

    /// The lowest total gain over choices whose lines start in `init` (a class per line),
    /// and, with `path`, each line's final option mask in one choice reaching it.
    /// `None` when there is no choice or the DP is too large or out of time (then
    /// `Some(Err(()))`).
    #[allow(clippy::type_complexity)]
    pub fn run(&mut self, init: u128, path: bool) -> Result<Option<(Gain, Vec<u64>)>, ()> {
        self.run_with(init, |dp, layers| dp.way_back(layers, path))
    }

    /// The fewest applied offers, up to `most`, of any choice whose lines start in
    /// `init` and whose total is within [`Dp::cap`], and each line's option mask in one
    /// such choice (`None`: no such choice). Each state then also counts the offers
    /// applied on the way to it (in its top byte, so at most [`MAX_COUNTED_LINES`]
    /// lines); one counting more than `most` is dropped.
    #[allow(clippy::type_complexity)]
    pub fn least_applied(&mut self, init: u128, most: u32) -> Result<Option<(u32, Vec<u64>)>, ()> {
        if self.classes.len() > MAX_COUNTED_LINES {
            return Err(());
        }
        self.counted = Some(most.min(u32::from(u8::MAX)));
        let found = self.run_with(init, |dp, layers| {
            let end = dp.end_state()?;
            let last = layers.last().ok_or(())?;
            Ok((0..=dp.lines.len() as u32).find_map(|a| {
                let node = last.get(end | u128::from(a) << APPLIED_SHIFT)?;
                Some((a, dp.trace(layers, node)))
            }))
        });
        self.counted = None;
        found
    }

    /// Runs the layers from `init` and reads the answer off them with `finish`.
    fn run_with<T>(
        &mut self,
        init: u128,
        finish: impl FnOnce(&mut Dp, &[Layer]) -> Result<T, ()>,
    ) -> Result<T, ()> {
        let n_lines = self.classes.len();
        let n_layers = self.lines.len() + 1;
        // The layers are kept across runs: most runs are small (a hundred transitions), and
        // allocating them anew cost more than the run.
        let mut layers = std::mem::take(&mut self.pool);
        layers.resize_with(n_layers, Layer::default);
        layers[0].reach(
            init,
            Node {
                gain: Gain::default(),
                from: 0,
                taken: 0,
            },
        );
        if self.trans.is_empty() {
            self.trans = vec![vec![Vec::new(); n_lines]; self.lines.len()];
        }
        // Per offer, line position and class: the two transitions, kept across runs.
        let mut trans = std::mem::take(&mut self.trans);
        if self.cap.is_some() {
            self.fill_rest();
        }
        let offer_lines = std::mem::take(&mut self.lines);
        let found = self.layers(&mut layers, &mut trans, &offer_lines);
        self.lines = offer_lines;
        self.trans = trans;
        let answer = found.and_then(|()| finish(self, &layers));
        for layer in &mut layers {
            layer.clear();
        }
        self.pool = layers;
        answer
    }

    /// The state with every line on a complete option (the class holding the empty mask).
    fn end_state(&mut self) -> Result<u128, ()> {
        if let Some(end) = self.end {
            return Ok(end);
        }
        let mut end: u128 = 0;
        for pos in 0..self.classes.len() {
            let id = self.intern(pos, vec![0]).ok_or(())?;
            end = with_field(end, pos, id);
        }
        self.end = Some(end);
        Ok(end)
    }

    /// The option masks of class `class` of line `pos`.
    pub fn class(&self, pos: usize, class: u8) -> &[u64] {
        &self.classes[pos][usize::from(class)]
    }

    /// The lowest gain reaching the end (every line on a complete option), and with
    /// `path` each line's option mask on the way there.
    #[allow(clippy::type_complexity)]
    fn way_back(&mut self, layers: &[Layer], path: bool) -> Result<Option<(Gain, Vec<u64>)>, ()> {
        // Every line must end on a complete option.
        let end = self.end_state()?;
        let Some(last) = layers.last().and_then(|l| l.get(end)) else {
            return Ok(None);
        };
        let gain = last.gain;
        if !path {
            return Ok(Some((gain, Vec::new())));
        }
        Ok(Some((gain, self.trace(layers, last))))
    }

    /// Each line's option mask on the way to `last` (a node of the last layer).
    fn trace(&self, layers: &[Layer], last: &Node) -> Vec<u64> {
        let mut masks = vec![0u64; self.classes.len()];
        let mut node = *last;
        for j in (0..self.lines.len()).rev() {
            for (b, &pos) in self.lines[j].iter().enumerate() {
                if node.taken & (1 << b) != 0 {
                    masks[pos] |= 1 << j;
                }
            }
            node = layers[j].states[node.from as usize].1;
        }
        masks
    }
}
