//! [`SharedRules`]: one rule set shared by a service's worker threads, swapped atomically when
//! the rule file changes.
//!
//! A request takes a snapshot ([`SharedRules::current`], one `Arc` clone) and answers from it
//! to the end, so requests in flight finish on the rules they started with while new requests
//! see the new ones. A new text that does not compile is refused and the old rules stay.
//!
//! A file is loaded only once it is stable: modified at least [`SETTLE`] ago, and with the
//! same modification time and length after it was read and compiled as before. A file
//! being written in place is therefore never installed half-written. The safest way to
//! publish new rules is still to write a new file next to the old one and rename it over
//! it (one atomic step).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::rules::ir::RuleSet;

/// A rule set behind a lock, replaced whole: readers never see a half-updated rule set.
///
/// ```
/// use youhui::{RuleSet, SharedRules};
/// let shared = SharedRules::new(RuleSet::parse(r#"ruleset "店" { stages 店铺 }"#)?);
/// let before = shared.current();
/// // A bad text is refused; the old rules stay.
/// assert!(shared.replace_text("rules.promo", "ruleset {").is_err());
/// assert_eq!(shared.current().fingerprint(), before.fingerprint());
/// // A good one replaces them for new requests; `before` still answers with the old.
/// assert!(shared.replace_text("rules.promo", r#"ruleset "新店" { stages 店铺 }"#)?);
/// assert_eq!(shared.current().name(), "新店");
/// assert_eq!(before.name(), "店");
/// # Ok::<(), youhui::Error>(())
/// ```
#[derive(Debug)]
pub struct SharedRules {
    current: RwLock<Arc<RuleSet>>,
    /// The watched file and the modification time and length last loaded from it.
    file: Mutex<Option<Watched>>,
    /// How long a changed file must stay unmodified before it is loaded.
    settle: Duration,
}

/// What one look at the watched file found ([`SharedRules::poll_file`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileStatus {
    /// No file is watched, or it has not changed since it was last loaded (or refused).
    Unchanged,
    /// It changed but is still being written (or was modified less than the settle time
    /// ago): look again shortly.
    Settling,
    /// A new rule set was compiled and installed.
    Installed {
        /// Whether its meaning (fingerprint) differs from the rules it replaced.
        changed: bool,
    },
}

#[derive(Debug)]
struct Watched {
    path: PathBuf,
    stamp: Option<(SystemTime, u64)>,
}

/// Why a reload did not replace the rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The new text does not compile (the report, rustc-style).
    #[error("{0}")]
    Rules(#[from] Error),
}

/// How long a changed file must stay unmodified before it is loaded.
pub const SETTLE: Duration = Duration::from_millis(200);

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl SharedRules {
    /// Shares `rules`.
    pub fn new(rules: RuleSet) -> SharedRules {
        SharedRules {
            current: RwLock::new(Arc::new(rules)),
            file: Mutex::new(None),
            settle: SETTLE,
        }
    }

    /// The same, loading a changed file once it has been unmodified for `settle` (default
    /// 200 ms). A writer that publishes by renaming a finished file over the old one
    /// can use a short settle time; one that writes in place needs it longer than a write.
    pub fn with_settle(mut self, settle: Duration) -> SharedRules {
        self.settle = settle;
        self
    }

    /// Loads `path` and remembers it for [`SharedRules::reload_if_changed`].
    pub fn from_file(path: impl Into<PathBuf>) -> Result<SharedRules, ReloadError> {
        let path = path.into();
        let before = stamp(&path);
        let rules = Self::load(&path)?;
        Ok(SharedRules {
            current: RwLock::new(Arc::new(rules)),
            file: Mutex::new(Some(Watched {
                path,
                stamp: before,
            })),
            settle: SETTLE,
        })
    }

    fn load(path: &Path) -> Result<RuleSet, ReloadError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReloadError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(RuleSet::parse_named(&path.to_string_lossy(), &text)?)
    }

    /// The rules for one request: a snapshot that stays valid whatever happens later.
    pub fn current(&self) -> Arc<RuleSet> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the rules with `rules`. Returns whether the meaning changed (fingerprint).
    pub fn replace(&self, rules: RuleSet) -> bool {
        let mut slot = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let changed = slot.fingerprint() != rules.fingerprint();
        *slot = Arc::new(rules);
        changed
    }

    /// Compiles `text` and replaces the rules with it (keeping the current deadline); on an
    /// error the old rules stay.
    pub fn replace_text(&self, file: &str, text: &str) -> Result<bool, Error> {
        let deadline = self.current().deadline();
        Ok(self.replace(RuleSet::parse_named(file, text)?.with_deadline(deadline)))
    }

    /// Reloads the watched file when its modification time or length changed since the last
    /// load and it has been stable since (see the module docs). `Ok(true)` when new rules
    /// were installed (with the current deadline); `Ok(false)` when the file is unchanged,
    /// still being written (it is looked at again on the next call), or no file is watched;
    /// an error when the new text cannot be read or does not compile, in which case the old
    /// rules stay and the same text is not tried again until the file changes once more.
    pub fn reload_if_changed(&self) -> Result<bool, ReloadError> {
        Ok(matches!(self.poll_file()?, FileStatus::Installed { .. }))
    }

    /// [`SharedRules::reload_if_changed`], telling a file still being written
    /// ([`FileStatus::Settling`], look again soon) from an unchanged one.
    pub fn poll_file(&self) -> Result<FileStatus, ReloadError> {
        self.reload(false)
    }

    /// Loads the watched file now, changed or not, without waiting for it to settle (an
    /// operator's explicit request, such as SIGHUP, says the file is complete). A file that
    /// does not compile is refused and the old rules stay.
    pub fn reload_now(&self) -> Result<FileStatus, ReloadError> {
        self.reload(true)
    }

    fn reload(&self, now: bool) -> Result<FileStatus, ReloadError> {
        let mut watched = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(w) = watched.as_mut() else {
            return Ok(FileStatus::Unchanged);
        };
        let before = stamp(&w.path);
        // A file gone (or unreadable) since the last look counts as unchanged too: it is
        // reported once, not at every poll.
        if !now && before == w.stamp {
            return Ok(FileStatus::Unchanged);
        }
        // A modification time in the future (a clock set back) counts as settled.
        let settled = before.is_none_or(|(modified, _)| {
            SystemTime::now()
                .duration_since(modified)
                .map_or(true, |age| age >= self.settle)
        });
        if !now && !settled {
            return Ok(FileStatus::Settling);
        }
        let loaded = Self::load(&w.path);
        if stamp(&w.path) != before {
            // Written to while we read it: try again once it is quiet.
            return Ok(FileStatus::Settling);
        }
        w.stamp = before;
        let deadline = self.current().deadline();
        let changed = self.replace(loaded?.with_deadline(deadline));
        Ok(FileStatus::Installed { changed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(name: &str) -> String {
        format!("ruleset \"{name}\" {{ stages 店铺 }}\nactivity a \"满100减10\" {{ stage 店铺 benefit 满100减10 }}\n")
    }

    #[test]
    fn reload_swaps_good_files_and_keeps_old_rules_on_bad_ones() {
        let dir = std::env::temp_dir().join(format!("youhui-shared-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rules.promo");
        std::fs::write(&path, rules("一")).unwrap();
        let shared = SharedRules::from_file(&path).unwrap();
        assert!(
            !shared.reload_if_changed().unwrap(),
            "unchanged file reloaded"
        );
        let in_flight = shared.current();

        std::fs::write(&path, rules("第二版")).unwrap();
        // Just written: not loaded until it has been quiet for SETTLE.
        assert!(!shared.reload_if_changed().unwrap());
        assert_eq!(shared.current().name(), "一");
        std::thread::sleep(SETTLE);
        assert!(shared.reload_if_changed().unwrap());
        assert_eq!(shared.current().name(), "第二版");
        assert_eq!(in_flight.name(), "一", "a snapshot changed under a request");

        std::fs::write(&path, "ruleset \"坏\" { stages }").unwrap();
        std::thread::sleep(SETTLE);
        assert!(matches!(
            shared.reload_if_changed(),
            Err(ReloadError::Rules(_))
        ));
        assert_eq!(shared.current().name(), "第二版");
        // The same bad file is not tried again.
        assert!(!shared.reload_if_changed().unwrap());

        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            shared.reload_if_changed(),
            Err(ReloadError::Read { .. })
        ));
        assert_eq!(shared.current().name(), "第二版");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn shared_rules_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SharedRules>();
    }
}
