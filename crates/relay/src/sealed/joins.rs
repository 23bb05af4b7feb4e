//! Requests to join a sealed analysis (docs/sealed.md, "Joining"): a device that opened an
//! invitation asks to be let in; any member device of an admin checks the request's proof
//! (an HMAC under the invitation's secret, which only members can read) and seals the key to
//! it. The relay only keeps the list, in memory, bounded and expiring: the waiting device asks
//! again on every pull, so a restart loses nothing that matters.

use std::time::Duration;

use caucus_sealed::DeviceId;

use super::refusal::Refusal;

/// Pending requests per document.
pub(crate) const MAX_PENDING: usize = 64;
/// A request not renewed for this long is forgotten.
pub(crate) const REQUEST_TTL: Duration = Duration::from_secs(24 * 3600);
/// Largest proof and label.
pub(crate) const MAX_PROOF_BYTES: usize = 64;
pub(crate) const MAX_LABEL_CHARS: usize = 100;

/// One device asking to join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinRequest {
    pub(crate) device: DeviceId,
    pub(crate) proof: Vec<u8>,
    pub(crate) label: String,
    /// The token's name, as the relay knows it (not what the device says).
    pub(crate) token_name: String,
    pub(crate) at_unix_ms: u64,
}

/// The pending requests of one document.
#[derive(Debug, Default)]
pub(crate) struct Joins {
    pending: Vec<JoinRequest>,
    /// Grows with every change, so waiting readers notice one.
    pub(crate) version: u64,
}

impl Joins {
    /// Records (or renews) a request.
    pub(crate) fn request(&mut self, request: JoinRequest) -> Result<(), Refusal> {
        if request.proof.len() > MAX_PROOF_BYTES || request.label.chars().count() > MAX_LABEL_CHARS
        {
            return Err(Refusal::Malformed("join proof or label too long".into()));
        }
        self.expire(request.at_unix_ms);
        let full = self.pending.len() >= MAX_PENDING;
        match self.pending.iter_mut().find(|p| p.device == request.device) {
            Some(existing) => {
                let changed = existing.proof != request.proof || existing.label != request.label;
                *existing = request;
                if changed {
                    self.version += 1;
                }
            }
            None if full => return Err(Refusal::TooMany),
            None => {
                self.pending.push(request);
                self.version += 1;
            }
        }
        Ok(())
    }

    /// Forgets `device`'s request (it was added, or turned down).
    pub(crate) fn remove(&mut self, device: &DeviceId) {
        let before = self.pending.len();
        self.pending.retain(|p| p.device != *device);
        if self.pending.len() != before {
            self.version += 1;
        }
    }

    /// The requests still pending at `now`.
    pub(crate) fn pending(&mut self, now_unix_ms: u64) -> Vec<JoinRequest> {
        self.expire(now_unix_ms);
        self.pending.clone()
    }

    fn expire(&mut self, now_unix_ms: u64) {
        let ttl = u64::try_from(REQUEST_TTL.as_millis()).unwrap_or(u64::MAX);
        self.pending
            .retain(|p| p.at_unix_ms.saturating_add(ttl) > now_unix_ms);
    }
}

#[cfg(test)]
mod tests {
    use caucus_sealed::DeviceSecret;

    use super::*;

    fn request(n: u8, at: u64) -> JoinRequest {
        JoinRequest {
            device: *DeviceSecret::from_bytes([n; 32]).keys().id(),
            proof: vec![n; 32],
            label: format!("device {n}"),
            token_name: "ana".into(),
            at_unix_ms: at,
        }
    }

    #[test]
    fn requests_are_bounded_renewed_and_forgotten() {
        let mut joins = Joins::default();
        for n in 0..MAX_PENDING as u8 {
            assert!(joins.request(request(n, 1)).is_ok());
        }
        assert_eq!(joins.request(request(200, 1)), Err(Refusal::TooMany));
        assert!(
            joins.request(request(3, 2)).is_ok(),
            "a renewal is not a new request"
        );
        let version = joins.version;
        joins.remove(&request(3, 0).device);
        assert!(joins.version > version);
        assert_eq!(joins.pending(2).len(), MAX_PENDING - 1);
        let day = u64::try_from(REQUEST_TTL.as_millis()).unwrap_or(0);
        assert!(joins.pending(day + 2).is_empty());
    }
}
