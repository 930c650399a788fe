//! Per-thread pools of evaluator buffers.
//!
//! A quote builds a handful of vectors (line amounts, scopes, shares, ...). Taking them
//! from a pool and giving them back when the owner is dropped means a thread that answers
//! many questions stops allocating for them once the pool has warmed up. The pools hold
//! only empty vectors (cleared on return, capacity kept) and are bounded, so nothing leaks
//! between requests and memory stays small.

use std::cell::RefCell;

/// Most vectors a pool keeps per type and thread.
const MAX_POOLED: usize = 64;

/// A vector type with a per-thread pool.
pub(crate) trait Pooled: Sized {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R;
}

macro_rules! pooled {
    ($($t:ty => $name:ident),* $(,)?) => {
        thread_local! {
            $(static $name: RefCell<Vec<$t>> = const { RefCell::new(Vec::new()) };)*
        }
        $(impl Pooled for $t {
            fn with_pool<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R {
                $name.with(|p| f(&mut p.borrow_mut()))
            }
        })*
    };
}

pooled! {
    Vec<i64> => POOL_I64,
    Vec<u64> => POOL_U64,
    Vec<usize> => POOL_USIZE,
    Vec<crate::eval::Lines> => POOL_LINES,
    Vec<Option<crate::eval::Ineligible>> => POOL_INELIGIBLE,
    Vec<(usize, usize, i64)> => POOL_SHARES,
    Vec<(usize, i64, crate::answer::Detail, bool)> => POOL_APPLIED,
    Vec<(usize, crate::answer::Shortfall)> => POOL_UNMET,
    Vec<(usize, i64, u64, i64)> => POOL_BASES,
    Vec<crate::eval::Mark> => POOL_MARKS,
}

/// An empty vector, from the pool when it has one.
pub(crate) fn take<T>() -> Vec<T>
where
    Vec<T>: Pooled,
{
    <Vec<T>>::with_pool(|p| p.pop()).unwrap_or_default()
}

/// Gives a vector back to the pool (emptied, capacity kept).
pub(crate) fn give<T>(mut v: Vec<T>)
where
    Vec<T>: Pooled,
{
    if v.capacity() == 0 {
        return;
    }
    v.clear();
    <Vec<T>>::with_pool(|p| {
        if p.len() < MAX_POOLED {
            p.push(v);
        }
    });
}
