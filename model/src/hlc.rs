//! The hybrid logical clock. Every field write carries an [`Hlc`]: wall milliseconds, a counter
//! for writes within one millisecond, and the writing device, so any two writes are ordered the
//! same way on every device and on the server. The clock never goes backwards even when the
//! device's clock does, and a device whose clock is days off is corrected by the server's time
//! (see [`Clock::set_offset`]).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A device (one browser profile of one user), also the tie-breaker of the clock:
/// 16 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    /// A device id from 8 random bytes.
    pub fn from_random(bytes: [u8; 8]) -> DeviceId {
        DeviceId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The id the server uses for its own writes (scores, reviews).
    pub fn server() -> DeviceId {
        DeviceId("0000000000000000".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 16
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(DeviceId(s))
        } else {
            Err(format!("bad device id {s:?}"))
        }
    }
}

impl From<DeviceId> for String {
    fn from(d: DeviceId) -> String {
        d.0
    }
}

/// A timestamp of the hybrid logical clock. Ordered by wall time, then counter, then device.
/// On the wire and in databases it is a fixed-width string whose byte order is the clock order:
/// `wwwwwwwwwwww.cccc.dddddddddddddddd` (hex).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u16,
    pub device: DeviceId,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.wall_ms, self.counter, &self.device).cmp(&(
            other.wall_ms,
            other.counter,
            &other.device,
        ))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The largest wall time the string form can hold (year 10889). No clock ever goes past it:
/// ticking saturates, observing clamps, and the text form has exactly 12 hex digits.
pub const MAX_WALL: u64 = 0xffff_ffff_ffff;

/// How far ahead of the server's clock a write may be stamped. A write stamped later is
/// re-stamped to the server's time when it arrives (the edit is kept), so no clock value
/// beyond this ever reaches another device.
pub const MAX_AHEAD_MS: u64 = 5 * 60 * 1000;

/// Is this clock value further ahead of `server_now_ms` than a write may be?
pub fn too_far_ahead(hlc: &Hlc, server_now_ms: u64) -> bool {
    hlc.wall_ms > server_now_ms.saturating_add(MAX_AHEAD_MS)
}

/// The length of a clock value's text: twelve hex digits of time, four of counter, and a
/// device id of sixteen, with two dots.
const TEXT_LEN: usize = 12 + 1 + 4 + 1 + 16;

impl Hlc {
    /// The text of `Display`, written without the formatting machinery: every record carries
    /// a clock value per field and per kept write, and the server writes thousands a second.
    /// `None` for a device id of another length (none is made, see [`DeviceId`]).
    fn text(&self) -> Option<[u8; TEXT_LEN]> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let device = self.device.as_str().as_bytes();
        if device.len() != 16 {
            return None;
        }
        let mut out = [b'.'; TEXT_LEN];
        let wall = self.wall_ms.min(MAX_WALL);
        for (i, slot) in out[..12].iter_mut().enumerate() {
            *slot = HEX[((wall >> (4 * (11 - i))) & 0xf) as usize];
        }
        for (i, slot) in out[13..17].iter_mut().enumerate() {
            *slot = HEX[((self.counter >> (4 * (3 - i))) & 0xf) as usize];
        }
        out[18..].copy_from_slice(device);
        Some(out)
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(text) => f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?),
            None => write!(
                f,
                "{:012x}.{:04x}.{}",
                self.wall_ms.min(MAX_WALL),
                self.counter,
                self.device.as_str()
            ),
        }
    }
}

impl FromStr for Hlc {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("bad clock value {s:?}");
        let mut parts = s.split('.');
        let (Some(w), Some(c), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        // Only the form `Display` writes: lowercase hex digits, no sign (`from_str_radix` alone
        // takes `+` and uppercase), so one clock value has one text.
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if w.len() != 12 || c.len() != 4 || !w.bytes().chain(c.bytes()).all(hex) {
            return Err(bad());
        }
        Ok(Hlc {
            wall_ms: u64::from_str_radix(w, 16).map_err(|_| bad())?,
            counter: u16::from_str_radix(c, 16).map_err(|_| bad())?,
            device: DeviceId::try_from(d.to_owned())?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Some(text) => {
                s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
            }
            None => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Parses the text where the input lends it, without a copy of its own.
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Hlc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a clock value")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Hlc, E> {
                s.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Text)
    }
}

/// A device's clock. `now_ms` always comes from the caller (the browser, the server, or the
/// simulation), so this stays pure and testable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub device: DeviceId,
    /// The last timestamp handed out or observed.
    pub last_wall_ms: u64,
    pub last_counter: u16,
    /// Added to the local time: the server's time minus the device's, learnt at each sync, so a
    /// device whose clock is days off still writes sensible times.
    #[serde(default)]
    pub offset_ms: i64,
}

impl Clock {
    pub fn new(device: DeviceId) -> Clock {
        Clock {
            device,
            last_wall_ms: 0,
            last_counter: 0,
            offset_ms: 0,
        }
    }

    fn corrected(&self, now_ms: u64) -> u64 {
        (now_ms as i64)
            .saturating_add(self.offset_ms)
            .clamp(0, MAX_WALL as i64) as u64
    }

    /// Learns the server's time (`server_ms` as seen at local time `local_ms`).
    pub fn set_offset(&mut self, server_ms: u64, local_ms: u64) {
        self.offset_ms = server_ms as i64 - local_ms as i64;
    }

    fn advance(&mut self, wall: u64) -> Hlc {
        if wall > self.last_wall_ms {
            self.last_wall_ms = wall;
            self.last_counter = 0;
        } else if self.last_counter == u16::MAX {
            // 65 536 writes in one millisecond: borrow the next millisecond (never past the
            // largest value the text form holds).
            if self.last_wall_ms < MAX_WALL {
                self.last_wall_ms += 1;
                self.last_counter = 0;
            }
        } else {
            self.last_counter += 1;
        }
        Hlc {
            wall_ms: self.last_wall_ms,
            counter: self.last_counter,
            device: self.device.clone(),
        }
    }

    /// A new timestamp for a local write: later than everything this clock has handed out or
    /// observed, whatever the device's clock says.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let wall = self.corrected(now_ms);
        self.advance(wall)
    }

    /// Takes note of a timestamp from elsewhere, so later local writes order after it.
    pub fn observe(&mut self, seen: &Hlc) {
        if (seen.wall_ms, seen.counter) > (self.last_wall_ms, self.last_counter) {
            self.last_wall_ms = seen.wall_ms.min(MAX_WALL);
            self.last_counter = seen.counter;
        }
    }

    /// Takes note of a timestamp unless it is further ahead of `now_ms` (this clock's corrected
    /// time) than a write may be: the server's own clock is never pulled into the future by a
    /// stored value.
    pub fn observe_bounded(&mut self, seen: &Hlc, now_ms: u64) {
        if !too_far_ahead(seen, self.corrected(now_ms)) {
            self.observe(seen);
        }
    }

    /// The server said its time: if this clock ran ahead of it by more than a write may be
    /// (the device's clock was set far in the future), it is brought back. The writes it made
    /// meanwhile were re-stamped by the server, so going back orders nothing wrongly.
    pub fn rewind_if_ahead(&mut self, server_ms: u64) {
        if self.last_wall_ms > server_ms.saturating_add(MAX_AHEAD_MS) {
            self.last_wall_ms = server_ms.min(MAX_WALL);
            self.last_counter = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dev(n: u8) -> DeviceId {
        DeviceId::from_random([n; 8])
    }

    #[test]
    fn string_form_round_trips_and_sorts() {
        let a = Hlc {
            wall_ms: 1_700_000_000_000,
            counter: 2,
            device: dev(1),
        };
        let s = a.to_string();
        assert_eq!(s, "018bcfe56800.0002.0101010101010101");
        assert_eq!(s.parse::<Hlc>().unwrap(), a);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), a);
        assert!("x".parse::<Hlc>().is_err());
        assert!("018bcfe56800.0002.01010101010101zz".parse::<Hlc>().is_err());
    }

    /// The text written without the formatting machinery is the formatted one, at the ends of
    /// the ranges too, and reads back from JSON however it arrives.
    #[test]
    fn the_quick_text_is_the_formatted_one() {
        for (wall_ms, counter) in [
            (0, 0),
            (1, 0xffff),
            (0x0123_4567_89ab, 0x0c0d),
            (MAX_WALL, 1),
            (u64::MAX, 7),
        ] {
            let a = Hlc {
                wall_ms,
                counter,
                device: dev(0xa5),
            };
            let formatted = format!(
                "{:012x}.{counter:04x}.a5a5a5a5a5a5a5a5",
                wall_ms.min(MAX_WALL)
            );
            assert_eq!(a.to_string(), formatted);
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{formatted}\""));
            let read = Hlc {
                wall_ms: wall_ms.min(MAX_WALL),
                ..a.clone()
            };
            assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), read);
            let escaped = json.replacen('.', "\\u002e", 1);
            assert_eq!(serde_json::from_str::<Hlc>(&escaped).unwrap(), read);
            let value = serde_json::to_value(&a).unwrap();
            assert_eq!(serde_json::from_value::<Hlc>(value).unwrap(), read);
        }
    }

    /// A clock value has one text form: uppercase digits or a sign are refused, so a value kept
    /// as text (the writes a deletion had seen) is always the text `Display` writes.
    #[test]
    fn only_the_canonical_text_parses() {
        let a: Hlc = "018bcfe56800.00a1.0101010101010101".parse().unwrap();
        assert_eq!(a.to_string(), "018bcfe56800.00a1.0101010101010101");
        for text in [
            "018BCFE56800.0002.0101010101010101",
            "018bcfe56800.00A1.0101010101010101",
            "+18bcfe56800.0002.0101010101010101",
            "018bcfe56800.+002.0101010101010101",
        ] {
            assert!(text.parse::<Hlc>().is_err(), "{text}");
        }
    }

    #[test]
    fn monotonic_when_the_device_clock_jumps_back() {
        let mut c = Clock::new(dev(1));
        let a = c.tick(10_000);
        let b = c.tick(5_000); // the clock was set back
        let d = c.tick(5_000);
        assert!(a < b && b < d);
    }

    #[test]
    fn offset_corrects_a_clock_days_off() {
        let mut c = Clock::new(dev(1));
        let day = 86_400_000;
        // The device thinks it is three days earlier than the server.
        c.set_offset(10 * day, 7 * day);
        let t = c.tick(7 * day + 5);
        assert_eq!(t.wall_ms, 10 * day + 5);
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let mut c = Clock::new(dev(1));
        let mut last = c.tick(1);
        for _ in 0..70_000 {
            let t = c.tick(1);
            assert!(t > last);
            last = t;
        }
    }

    #[test]
    fn saturates_at_the_largest_value() {
        let mut c = Clock::new(dev(1));
        c.observe(&Hlc {
            wall_ms: u64::MAX,
            counter: u16::MAX,
            device: dev(2),
        });
        assert_eq!(c.last_wall_ms, MAX_WALL);
        for _ in 0..3 {
            let t = c.tick(u64::MAX);
            assert!(t.wall_ms <= MAX_WALL);
            assert_eq!(t.to_string().parse::<Hlc>().unwrap(), t);
        }
    }

    #[test]
    fn rewinds_after_running_ahead() {
        let mut c = Clock::new(dev(1));
        let year = 365 * 86_400_000;
        c.tick(10 * year);
        c.rewind_if_ahead(year);
        c.set_offset(year, year);
        assert!(c.tick(year).wall_ms < year + MAX_AHEAD_MS);
        // A clock only a little ahead keeps going forward.
        let mut d = Clock::new(dev(1));
        d.tick(year + 1_000);
        d.rewind_if_ahead(year);
        assert!(d.tick(year).wall_ms >= year + 1_000);
    }

    proptest! {
        /// Any clock value, however absurd, has a text form that parses back to the same value,
        /// and a clock fed with it never hands out a value past the largest one.
        #[test]
        fn any_value_round_trips_and_never_overflows(
            wall in any::<u64>(), counter in any::<u16>(), now in any::<u64>(), offset in any::<i64>()
        ) {
            let seen = Hlc { wall_ms: wall.min(MAX_WALL), counter, device: dev(3) };
            prop_assert_eq!(seen.to_string().parse::<Hlc>().unwrap(), seen.clone());
            let mut c = Clock::new(dev(1));
            c.offset_ms = offset;
            c.observe(&Hlc { wall_ms: wall, counter, device: dev(3) });
            for _ in 0..3 {
                let t = c.tick(now);
                prop_assert!(t.wall_ms <= MAX_WALL);
                let text = t.to_string();
                prop_assert_eq!(text.len(), 12 + 1 + 4 + 1 + 16);
                prop_assert_eq!(text.parse::<Hlc>().unwrap(), t);
            }
            let mut server = Clock::new(DeviceId::server());
            server.observe_bounded(&Hlc { wall_ms: wall, counter, device: dev(3) }, now.min(MAX_WALL));
            prop_assert!(server.last_wall_ms <= now.min(MAX_WALL).saturating_add(MAX_AHEAD_MS));
        }

        /// Whatever the local clock readings and whatever is observed, timestamps only grow and
        /// always follow what was observed.
        #[test]
        fn ticks_always_increase(
            steps in proptest::collection::vec((0u64..1_000_000, proptest::option::of((0u64..2_000_000, 0u16..5))), 1..200)
        ) {
            let mut c = Clock::new(dev(1));
            let mut last: Option<Hlc> = None;
            for (now, seen) in steps {
                if let Some((w, n)) = seen {
                    let s = Hlc { wall_ms: w, counter: n, device: dev(2) };
                    c.observe(&s);
                    let t = c.tick(now);
                    prop_assert!(t > s);
                    if let Some(l) = &last { prop_assert!(&t > l); }
                    last = Some(t);
                } else {
                    let t = c.tick(now);
                    if let Some(l) = &last { prop_assert!(&t > l); }
                    last = Some(t);
                }
            }
        }
    }
}
