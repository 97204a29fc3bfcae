//! Codes: none.
//!
//! Who signed whom among the sent certificates: an index by subject name, and each (child, parent)
//! signature verified at most once, within [`super::limits::SIGNATURE_BUDGET`].
//!
//! The misorder search and the walk to an anchor only ever look at the certificates whose subject is
//! the child's issuer name (the index), so they cost one lookup per certificate plus the signature
//! checks, memoised; a hostile chain of certificates sharing one issuer name, naming each other, or
//! repeating itself runs out of budget, never of time.

use std::collections::HashMap;

use rustls::pki_types::TrustAnchor;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::der::{der_sequence, der_value};

/// Whose key is checked against a child's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Parent {
    /// A sent certificate, by position.
    Sent(usize),
    /// A trust anchor, by position in the anchor list.
    Anchor(usize),
}

/// The sent certificates (parsed, by position), the anchors, and the signature checks made so far.
pub(super) struct Graph<'c, 'a> {
    parsed: &'c [Option<X509Certificate<'c>>],
    anchors: &'a [TrustAnchor<'a>],
    /// Sent certificates by raw subject Name (tag and length included).
    by_subject: HashMap<&'c [u8], Vec<usize>>,
    /// Anchors by subject Name contents (webpki keeps no header).
    anchors_by_subject: HashMap<&'a [u8], Vec<usize>>,
    verified: HashMap<(usize, Parent), bool>,
    remaining: usize,
    exhausted: bool,
}

/// How the walk from the leaf towards an anchor ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WalkEnd {
    /// At a trust anchor (or a certificate one of them signed).
    Anchor,
    /// At a sent self-signed certificate that is no anchor, at this position.
    SelfSignedRoot(usize),
    /// The certificate at this position names an issuer that was not sent (or does not verify);
    /// `steps` sent certificates were walked through above the leaf.
    IssuerNotSent { position: usize, steps: usize },
    /// Unparsable certificate, a loop, or the signature budget ran out.
    Broken,
}

impl<'c, 'a> Graph<'c, 'a> {
    /// Indexes `parsed` and `anchors`; at most `budget` signatures will be verified.
    pub(super) fn new(
        parsed: &'c [Option<X509Certificate<'c>>],
        anchors: &'a [TrustAnchor<'a>],
        budget: usize,
    ) -> Graph<'c, 'a> {
        let mut by_subject: HashMap<&'c [u8], Vec<usize>> = HashMap::new();
        for (i, cert) in parsed.iter().enumerate() {
            if let Some(cert) = cert {
                by_subject
                    .entry(cert.subject().as_raw())
                    .or_default()
                    .push(i);
            }
        }
        let mut anchors_by_subject: HashMap<&'a [u8], Vec<usize>> = HashMap::new();
        for (i, anchor) in anchors.iter().enumerate() {
            anchors_by_subject
                .entry(anchor.subject.as_ref())
                .or_default()
                .push(i);
        }
        Graph {
            parsed,
            anchors,
            by_subject,
            anchors_by_subject,
            verified: HashMap::new(),
            remaining: budget,
            exhausted: false,
        }
    }

    /// True when some check was refused for want of budget: the verdicts are then incomplete.
    pub(super) fn budget_exhausted(&self) -> bool {
        self.exhausted
    }

    /// Signature checks made so far (each pair once).
    pub(super) fn checks_made(&self) -> usize {
        self.verified.len()
    }

    fn cert(&self, position: usize) -> Option<&'c X509Certificate<'c>> {
        self.parsed.get(position).and_then(Option::as_ref)
    }

    /// Sent certificates whose subject is `child`'s issuer name, in the order sent.
    fn issuer_candidates(&self, child: usize) -> &[usize] {
        self.cert(child)
            .and_then(|c| self.by_subject.get(c.issuer().as_raw()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// `child` names `parent` as issuer and `parent`'s key verifies its signature (memoised).
    pub(super) fn signed_by(&mut self, child: usize, parent: usize) -> bool {
        let (Some(c), Some(p)) = (self.cert(child), self.cert(parent)) else {
            return false;
        };
        if c.issuer().as_raw() != p.subject().as_raw() {
            return false;
        }
        self.verify(child, Parent::Sent(parent), |c| {
            c.verify_signature(Some(p.public_key())).is_ok()
        })
    }

    fn verify(
        &mut self,
        child: usize,
        parent: Parent,
        check: impl FnOnce(&X509Certificate<'c>) -> bool,
    ) -> bool {
        if let Some(&known) = self.verified.get(&(child, parent)) {
            return known;
        }
        let Some(c) = self.cert(child) else {
            return false;
        };
        if self.remaining == 0 {
            self.exhausted = true;
            return false;
        }
        self.remaining -= 1;
        let ok = check(c);
        self.verified.insert((child, parent), ok);
        ok
    }

    /// The certificate at `position` names itself as issuer and its own key verifies it.
    pub(super) fn self_signed(&mut self, position: usize) -> bool {
        self.signed_by(position, position)
    }

    fn is_anchor(&self, position: usize) -> bool {
        let Some(cert) = self.cert(position) else {
            return false;
        };
        let spki = der_value(cert.public_key().raw);
        der_value(cert.subject().as_raw())
            .and_then(|subject| self.anchors_by_subject.get(subject))
            .is_some_and(|found| {
                found.iter().any(|&a| {
                    self.anchors
                        .get(a)
                        .is_some_and(|a| Some(a.subject_public_key_info.as_ref()) == spki)
                })
            })
    }

    fn issued_by_anchor(&mut self, position: usize) -> bool {
        let Some(cert) = self.cert(position) else {
            return false;
        };
        let found: Vec<usize> = der_value(cert.issuer().as_raw())
            .and_then(|issuer| self.anchors_by_subject.get(issuer))
            .cloned()
            .unwrap_or_default();
        let anchors = self.anchors;
        found.into_iter().any(|a| {
            let Some(anchor) = anchors.get(a) else {
                return false;
            };
            self.verify(position, Parent::Anchor(a), |c| {
                // Anchors keep the SPKI's contents only: re-wrap them to verify the signature.
                let wrapped = der_sequence(anchor.subject_public_key_info.as_ref());
                SubjectPublicKeyInfo::from_der(&wrapped)
                    .is_ok_and(|(_, spki)| c.verify_signature(Some(&spki)).is_ok())
            })
        })
    }

    /// True when some certificate's issuer was sent somewhere other than right after it.
    pub(super) fn misordered(&mut self) -> bool {
        for i in 0..self.parsed.len() {
            if self.cert(i).is_none() || self.self_signed(i) {
                continue;
            }
            let candidates: Vec<usize> = self.issuer_candidates(i).to_vec();
            if candidates.contains(&(i + 1)) && self.signed_by(i, i + 1) {
                continue;
            }
            let elsewhere = candidates
                .into_iter()
                .filter(|&j| j != i && j != i + 1)
                .any(|j| self.signed_by(i, j));
            if elsewhere {
                return true;
            }
        }
        false
    }

    /// Walks from the leaf through sent issuers until an anchor, a self-signed root or a gap.
    pub(super) fn walk_to_anchor(&mut self) -> WalkEnd {
        let mut visited = vec![false; self.parsed.len()];
        let mut current = 0usize;
        let mut steps = 0usize;
        // Each step visits a new certificate, so the walk ends within `parsed.len()` steps.
        loop {
            if self.cert(current).is_none() {
                return WalkEnd::Broken;
            }
            if let Some(seen) = visited.get_mut(current) {
                *seen = true;
            }
            if self.is_anchor(current) || self.issued_by_anchor(current) {
                return WalkEnd::Anchor;
            }
            if self.self_signed(current) {
                return WalkEnd::SelfSignedRoot(current);
            }
            let candidates: Vec<usize> = self.issuer_candidates(current).to_vec();
            let looped = candidates
                .iter()
                .any(|&j| visited.get(j).copied().unwrap_or(false));
            let next = candidates
                .into_iter()
                .filter(|&j| !visited.get(j).copied().unwrap_or(true))
                .find(|&j| self.signed_by(current, j));
            match next {
                Some(j) => {
                    current = j;
                    steps += 1;
                }
                None if self.exhausted || looped => return WalkEnd::Broken,
                None => {
                    return WalkEnd::IssuerNotSent {
                        position: current,
                        steps,
                    }
                }
            }
        }
    }
}
