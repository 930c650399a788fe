//! The service's state: the rules it answers with (possibly none yet), what the last reload
//! did, and the watcher that reloads the rule file when it changes or on SIGHUP.
//!
//! The rules live in a [`SharedRules`]: a request takes one snapshot and answers from it to
//! the end, so a reload never mixes two rule sets in one answer (or one batch). A file that
//! does not compile is refused, the old rules keep answering, and the failure shows in
//! `/readyz`, the log and the `reloads` metric. A service started on a missing or broken
//! file answers 503 until a good file appears.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use youhui::model::FileStatus;
use youhui::{RuleSet, SharedRules};

use super::metrics::Metrics;

/// The last reload attempt, for `/readyz` and `/v1/rules`.
#[derive(Clone, Debug, Default)]
pub struct LoadStatus {
    /// When the rules answering now were loaded.
    pub loaded_at: Option<DateTime<Utc>>,
    /// The last refused file: when, and the report (rustc-style).
    pub refused: Option<(DateTime<Utc>, String)>,
}

pub struct Service {
    pub path: PathBuf,
    rules: OnceLock<SharedRules>,
    deadline: Duration,
    settle: Duration,
    status: Mutex<LoadStatus>,
    /// The file's stamp when it was last refused before any rules loaded (so a broken
    /// file is reported once, not at every poll).
    refused_stamp: Mutex<Option<Option<(SystemTime, u64)>>>,
    pub metrics: Metrics,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Service {
    pub fn new(path: PathBuf, deadline: Duration, settle: Duration) -> Service {
        Service {
            path,
            rules: OnceLock::new(),
            deadline,
            settle,
            status: Mutex::new(LoadStatus::default()),
            refused_stamp: Mutex::new(None),
            metrics: Metrics::new(),
        }
    }

    /// The rules for one request, or `None` while no good file has been loaded.
    pub fn snapshot(&self) -> Option<Arc<RuleSet>> {
        self.rules.get().map(SharedRules::current)
    }

    pub fn status(&self) -> LoadStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Looks at the rule file (`forced`: load it now, as on SIGHUP). Returns whether a
    /// changed file is still settling, so the watcher looks again soon.
    pub fn reload(&self, forced: bool) -> bool {
        let Some(shared) = self.rules.get() else {
            return self.first_load(forced);
        };
        let result = if forced {
            shared.reload_now()
        } else {
            shared.poll_file()
        };
        match result {
            Ok(FileStatus::Settling) => true,
            Ok(FileStatus::Installed { changed }) => {
                self.installed(&shared.current(), changed);
                false
            }
            Ok(_) => false,
            Err(e) => {
                self.refused(&e.to_string());
                false
            }
        }
    }

    /// Before any rules are loaded: the same care as `SharedRules::poll_file` (a file is
    /// read once it has settled and must not change while it is read), and a refused file
    /// is not tried again until it changes.
    fn first_load(&self, forced: bool) -> bool {
        let before = stamp(&self.path);
        if !forced {
            // The same file (or still no file) as the last refusal: reported once.
            if *self.refused_stamp.lock().unwrap_or_else(|e| e.into_inner()) == Some(before) {
                return false;
            }
            let young = before.is_some_and(|(modified, _)| {
                SystemTime::now()
                    .duration_since(modified)
                    .is_ok_and(|age| age < self.settle)
            });
            if young {
                return true;
            }
        }
        let loaded = SharedRules::from_file(&self.path);
        if stamp(&self.path) != before {
            return true;
        }
        *self.refused_stamp.lock().unwrap_or_else(|e| e.into_inner()) = Some(before);
        match loaded {
            Ok(shared) => {
                let shared = shared.with_settle(self.settle);
                shared.replace(shared.current().with_deadline(self.deadline));
                let rules = shared.current();
                if self.rules.set(shared).is_ok() {
                    self.installed(&rules, true);
                }
            }
            Err(e) => self.refused(&e.to_string()),
        }
        false
    }

    fn installed(&self, rules: &RuleSet, changed: bool) {
        let at = now();
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .loaded_at = Some(at);
        self.metrics
            .reloaded(rules.name(), &rules.fingerprint_hex(), at.timestamp());
        tracing::info!(
            name = rules.name(),
            fingerprint = %rules.fingerprint_hex(),
            changed,
            "rules loaded from {}",
            self.path.display()
        );
    }

    fn refused(&self, report: &str) {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .refused = Some((now(), report.to_owned()));
        self.metrics.refused();
        let keeping = if self.rules.get().is_some() {
            "the old rules keep answering"
        } else {
            "no rules are loaded"
        };
        tracing::error!(
            "rule file {} refused, {keeping}:\n{report}",
            self.path.display()
        );
    }
}

/// What wakes the watcher.
pub enum Wake {
    /// The file system reported a change in the rule file's folder.
    Changed,
    /// SIGHUP: reload now.
    Hangup,
}

/// Starts the watcher thread: it reloads on file events (notify), on SIGHUP (sent on the
/// returned channel) and, in case events are missed (network file systems, editors that
/// replace the folder), by looking at the file every `poll`.
pub fn watch(service: Arc<Service>, poll: Duration) -> mpsc::Sender<Wake> {
    let (tx, rx) = mpsc::channel();
    let events = tx.clone();
    let path = service.path.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok() {
            let _ = events.send(Wake::Changed);
        }
    })
    .and_then(|mut w| {
        use notify::Watcher;
        // The folder, not the file: a rename over the file replaces the watched inode.
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        w.watch(dir, notify::RecursiveMode::NonRecursive)?;
        Ok(w)
    });
    if let Err(e) = &watcher {
        tracing::warn!("file events unavailable ({e}); looking at the rule file every {poll:?}");
    }
    std::thread::spawn(move || {
        let _watcher = watcher;
        let mut settling = false;
        loop {
            // While a change settles, look again soon; otherwise at the poll interval.
            let wait = if settling {
                Duration::from_millis(10)
            } else {
                poll
            };
            let forced = match rx.recv_timeout(wait) {
                Ok(Wake::Hangup) => true,
                Ok(Wake::Changed) | Err(mpsc::RecvTimeoutError::Timeout) => false,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            // Several events for one write are one reload.
            let mut forced = forced;
            while let Ok(more) = rx.try_recv() {
                forced |= matches!(more, Wake::Hangup);
            }
            settling = service.reload(forced);
        }
    });
    tx
}
