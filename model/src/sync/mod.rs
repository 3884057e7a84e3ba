//! Sync: the protocol of `POST /api/sync` and the pure logic both ends run around their I/O.
//! The server plans a batch with [`server::plan`] and then writes the plan in one transaction;
//! a device edits with [`client::edit`] and takes an answer in with [`client::take_response`].
//! The deterministic simulation (`model/tests/sim.rs`) runs exactly this code.

pub mod client;
pub mod protocol;
pub mod server;

pub use protocol::*;
