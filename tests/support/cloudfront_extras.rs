//! CloudFront beyond moto, answered by the fault proxy ([`super::fault_proxy`]) on loopback.
//!
//! moto 5.2.5 has no VPC origins (every `/2020-05-31/vpc-origin` and `distributionsByVpcOriginId`
//! path answers 404) and drops `VpcOriginConfig` from the origins of the distributions it stores
//! (its `Origin` keeps `S3OriginConfig` and `CustomOriginConfig` only). This module implements, from
//! the CloudFront 2020-05-31 API model (botocore's `cloudfront/2020-05-31/service-2.json`, the model
//! the Rust SDK is generated from), the wire format of:
//!
//! - `CreateVpcOrigin` (`POST /2020-05-31/vpc-origin`: 202, `Location`, `ETag`, status `Deploying`),
//! - `GetVpcOrigin` (`GET /2020-05-31/vpc-origin/{Id}`: 200 and `ETag`, or 404 `EntityNotFound`),
//! - `UpdateVpcOrigin` (`PUT /2020-05-31/vpc-origin/{Id}`: `If-Match` must be the current `ETag`,
//!   else 412 `PreconditionFailed`; 202, and a new `ETag`),
//! - `DeleteVpcOrigin` (`DELETE`, `If-Match`; 409 `CannotDeleteEntityWhileInUse` while a
//!   distribution names it),
//! - `ListVpcOrigins` and `ListDistributionsByVpcOriginId` (`Marker`, `MaxItems`, `NextMarker`,
//!   `IsTruncated`: real pages, so a reader's marker loop runs),
//!
//! and gives distributions back their memory: the `<VpcOriginConfig>` of each origin sent in
//! `CreateDistribution(WithTags)` or `UpdateDistribution` is remembered (by distribution id, from
//! moto's answer, and origin id) and put back into the matching `<Origin>` of every answer that
//! carries the distribution's configuration (`GetDistribution`, `GetDistributionConfig`,
//! `ListDistributions`, the create and update answers). moto accepts an origin that has only a
//! `VpcOriginConfig` (measured with boto3: it stores it with neither S3 nor custom settings), so the
//! request goes to moto unchanged and the distribution reads back as the SDK sent it.
//!
//! Status changes take time in CloudFront (`Deploying`, then `Deployed`); here a test says when,
//! with [`super::fault_proxy::FaultProxy::set_vpc_origin_status`]. Deliberately lenient: a
//! distribution may name a VPC origin the proxy does not hold (one shared from another account).
//! Seeding and reading go through the real SDK pointed at the proxy; nothing here fakes the SDK.

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_smithy_types::date_time::{DateTime, Format};
use aws_smithy_xml::decode::{try_data, Document, ScopedDecoder};

use super::fault_proxy::{Answer, Request};

/// The namespace of every CloudFront document.
const NAMESPACE: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
/// moto's default account, which owns everything in the emulator.
const ACCOUNT_ID: &str = "123456789012";
/// CloudFront's default page size.
const DEFAULT_MAX_ITEMS: usize = 100;

/// What the proxy keeps for CloudFront beyond moto.
#[derive(Debug, Default)]
pub struct CloudFrontExtras {
    vpc_origins: BTreeMap<String, VpcOrigin>,
    /// Distribution id → origin id → the `VpcOriginConfig` that origin was sent with.
    vpc_origin_configs: BTreeMap<String, BTreeMap<String, VpcOriginConfig>>,
    /// Source of ids and ETags, so that every update gets a new ETag.
    serial: u64,
}

impl CloudFrontExtras {
    /// The answer to a request moto cannot answer, or `None` to forward it.
    pub(super) fn answer(&mut self, request: &Request) -> Option<Answer> {
        let id = request.segments().get(2).map(|id| (*id).to_owned());
        let id = id.as_deref().unwrap_or("");
        Some(match request.operation().as_str() {
            "CreateVpcOrigin" => self.create_vpc_origin(request),
            "GetVpcOrigin" => self.get_vpc_origin(request, id),
            "UpdateVpcOrigin" => self.update_vpc_origin(request, id),
            "DeleteVpcOrigin" => self.delete_vpc_origin(request, id),
            "ListVpcOrigins" => self.list_vpc_origins(request),
            "ListDistributionsByVpcOriginId" => {
                self.list_distributions_by_vpc_origin_id(request, id)
            }
            _ => return None,
        })
    }

    /// Remembers the `VpcOriginConfig`s a distribution write carried and puts them back into moto's
    /// answer to any request that returns a distribution's configuration.
    pub(super) fn after_forward(&mut self, request: &Request, answer: &mut Answer) {
        if !(200..300).contains(&answer.status()) {
            return;
        }
        let path_distribution = match request.segments().as_slice() {
            [_, "distribution", id, ..] => Some((*id).to_owned()),
            _ => None,
        };
        let body = String::from_utf8_lossy(&answer.body).into_owned();
        match request.operation().as_str() {
            "CreateDistribution" | "CreateDistributionWithTags" => {
                if let Some(id) = text_of(&body, "Id") {
                    self.remember(id, &request.body);
                }
            }
            "UpdateDistribution" => {
                if let Some(id) = &path_distribution {
                    self.remember(id.clone(), &request.body);
                }
            }
            "DeleteDistribution" => {
                if let Some(id) = &path_distribution {
                    self.vpc_origin_configs.remove(id);
                }
                return;
            }
            "GetDistribution" | "GetDistributionConfig" | "ListDistributions" => {}
            _ => return,
        }
        answer.body = self.restore(&body, path_distribution).into_bytes();
    }

    /// The test hook for time: sets a VPC origin's status; false when there is no such VPC origin.
    pub(super) fn set_vpc_origin_status(&mut self, id: &str, status: &str) -> bool {
        match self.vpc_origins.get_mut(id) {
            Some(vpc_origin) => {
                vpc_origin.status = status.to_owned();
                true
            }
            None => false,
        }
    }

    fn create_vpc_origin(&mut self, request: &Request) -> Answer {
        let endpoint = match read_body(request, |root| {
            let mut endpoint = None;
            while let Some(mut child) = root.next_tag() {
                if child.start_el().matches("VpcOriginEndpointConfig") {
                    endpoint = Some(EndpointConfig::read(&mut child));
                }
            }
            endpoint.unwrap_or_else(|| Err("VpcOriginEndpointConfig is required".to_owned()))
        }) {
            Ok(endpoint) => endpoint,
            Err(message) => return request.error(400, "InvalidArgument", &message),
        };
        if self
            .vpc_origins
            .values()
            .any(|existing| existing.endpoint.name == endpoint.name)
        {
            return request.error(
                409,
                "EntityAlreadyExists",
                "A VPC origin with this name already exists.",
            );
        }
        let now = now();
        let vpc_origin = VpcOrigin {
            id: format!("vo_EMULATOR{:012X}", self.next_serial()),
            status: "Deploying".to_owned(),
            etag: self.next_etag(),
            created_time: now.clone(),
            last_modified_time: now,
            endpoint,
        };
        let location = format!(
            "https://cloudfront.amazonaws.com/2020-05-31/vpc-origin/{}",
            vpc_origin.id
        );
        let answer = vpc_origin.answer(202, vec![("Location".to_owned(), location)]);
        self.vpc_origins.insert(vpc_origin.id.clone(), vpc_origin);
        answer
    }

    fn get_vpc_origin(&self, request: &Request, id: &str) -> Answer {
        match self.vpc_origins.get(id) {
            Some(vpc_origin) => vpc_origin.answer(200, Vec::new()),
            None => not_found(request),
        }
    }

    fn update_vpc_origin(&mut self, request: &Request, id: &str) -> Answer {
        let endpoint = match read_body(request, EndpointConfig::read) {
            Ok(endpoint) => endpoint,
            Err(message) => return request.error(400, "InvalidArgument", &message),
        };
        let etag = self.next_etag();
        let Some(vpc_origin) = self.vpc_origins.get_mut(id) else {
            return not_found(request);
        };
        if let Some(refused) = check_if_match(request, &vpc_origin.etag) {
            return refused;
        }
        vpc_origin.endpoint = endpoint;
        vpc_origin.status = "Deploying".to_owned();
        vpc_origin.etag = etag;
        vpc_origin.last_modified_time = now();
        vpc_origin.answer(202, Vec::new())
    }

    fn delete_vpc_origin(&mut self, request: &Request, id: &str) -> Answer {
        let Some(vpc_origin) = self.vpc_origins.get(id) else {
            return not_found(request);
        };
        if let Some(refused) = check_if_match(request, &vpc_origin.etag) {
            return refused;
        }
        if !self.distributions_using(id).is_empty() {
            return request.error(
                409,
                "CannotDeleteEntityWhileInUse",
                "The VPC origin is in use by a distribution.",
            );
        }
        let Some(mut vpc_origin) = self.vpc_origins.remove(id) else {
            return not_found(request);
        };
        vpc_origin.status = "Deleting".to_owned();
        vpc_origin.answer(202, Vec::new())
    }

    fn list_vpc_origins(&self, request: &Request) -> Answer {
        let page = match Page::of(request, self.vpc_origins.keys().map(String::as_str)) {
            Ok(page) => page,
            Err(refused) => return refused,
        };
        let items: Vec<String> = page
            .items
            .iter()
            .filter_map(|id| self.vpc_origins.get(*id))
            .map(VpcOrigin::summary_xml)
            .collect();
        page.answer("VpcOriginList", &items)
    }

    fn list_distributions_by_vpc_origin_id(&self, request: &Request, id: &str) -> Answer {
        if !self.vpc_origins.contains_key(id) {
            return not_found(request);
        }
        let distributions = self.distributions_using(id);
        let page = match Page::of(request, distributions.iter().copied()) {
            Ok(page) => page,
            Err(refused) => return refused,
        };
        let items: Vec<String> = page
            .items
            .iter()
            .map(|id| format!("<DistributionId>{}</DistributionId>", escape(id)))
            .collect();
        page.answer("DistributionIdList", &items)
    }

    /// The distributions with an origin on VPC origin `id`, in id order.
    fn distributions_using(&self, id: &str) -> Vec<&str> {
        self.vpc_origin_configs
            .iter()
            .filter(|(_, origins)| origins.values().any(|c| c.vpc_origin_id == id))
            .map(|(distribution, _)| distribution.as_str())
            .collect()
    }

    /// Replaces what is remembered of `distribution` by the origins of the configuration in `body`.
    fn remember(&mut self, distribution: String, body: &[u8]) {
        let configs = read_vpc_origin_configs(body);
        if configs.is_empty() {
            self.vpc_origin_configs.remove(&distribution);
        } else {
            self.vpc_origin_configs.insert(distribution, configs);
        }
    }

    /// `body` with each remembered `<VpcOriginConfig>` inserted before the `</Origin>` of its origin.
    /// A `<Distribution>` or `<DistributionSummary>` names the distribution of the origins after it
    /// by its first child, `<Id>`; a bare `<DistributionConfig>` belongs to `path_distribution`.
    /// Element order inside `<Origin>` does not matter to the SDK, which matches members by name.
    fn restore(&self, body: &str, mut distribution: Option<String>) -> String {
        let mut restored = String::with_capacity(body.len());
        let mut copied = 0;
        let mut position = 0;
        while let Some(offset) = body[position..].find('<') {
            let at = position + offset;
            let tail = &body[at..];
            position = at + 1;
            if ["<Distribution>", "<Distribution ", "<DistributionSummary>"]
                .iter()
                .any(|opener| tail.starts_with(opener))
            {
                distribution = text_of(tail, "Id");
            } else if tail.starts_with("<Origin>") {
                let Some(close) = tail.find("</Origin>") else {
                    break;
                };
                let origin = &tail[..close];
                let config = distribution
                    .as_ref()
                    .zip(text_of(origin, "Id"))
                    .and_then(|(d, o)| self.vpc_origin_configs.get(d)?.get(&o));
                if let Some(config) = config.filter(|_| !origin.contains("<VpcOriginConfig>")) {
                    restored.push_str(&body[copied..at + close]);
                    restored.push_str(&config.to_xml());
                    copied = at + close;
                }
                position = at + close;
            }
        }
        restored.push_str(&body[copied..]);
        restored
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn next_etag(&mut self) -> String {
        format!("EVPC{:010X}", self.next_serial())
    }
}

/// A VPC origin as CloudFront keeps it.
#[derive(Debug, Clone)]
struct VpcOrigin {
    id: String,
    status: String,
    etag: String,
    created_time: String,
    last_modified_time: String,
    endpoint: EndpointConfig,
}

impl VpcOrigin {
    /// `arn:aws:cloudfront::ACCOUNT:vpcorigin/ID` (the form of the Developer Guide's examples).
    fn arn(&self) -> String {
        format!("arn:aws:cloudfront::{ACCOUNT_ID}:vpcorigin/{}", self.id)
    }

    /// A `<VpcOrigin>` document with its `ETag` and `headers`.
    fn answer(&self, status: u16, mut headers: Vec<(String, String)>) -> Answer {
        headers.push(("ETag".to_owned(), self.etag.clone()));
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VpcOrigin xmlns=\"{NAMESPACE}\">\
             <Id>{}</Id><Arn>{}</Arn><AccountId>{ACCOUNT_ID}</AccountId><Status>{}</Status>\
             <CreatedTime>{}</CreatedTime><LastModifiedTime>{}</LastModifiedTime>{}</VpcOrigin>",
            escape(&self.id),
            escape(&self.arn()),
            escape(&self.status),
            self.created_time,
            self.last_modified_time,
            self.endpoint.to_xml()
        );
        Answer::new(status, "text/xml", headers, body)
    }

    /// A `<VpcOriginSummary>` of a `VpcOriginList`.
    fn summary_xml(&self) -> String {
        let ip_address_type = optional("IpAddressType", self.endpoint.ip_address_type.as_ref());
        format!(
            "<VpcOriginSummary><Id>{}</Id><Name>{}</Name><Status>{}</Status>\
             <CreatedTime>{}</CreatedTime><LastModifiedTime>{}</LastModifiedTime><Arn>{}</Arn>\
             <AccountId>{ACCOUNT_ID}</AccountId><OriginEndpointArn>{}</OriginEndpointArn>\
             {ip_address_type}</VpcOriginSummary>",
            escape(&self.id),
            escape(&self.endpoint.name),
            escape(&self.status),
            self.created_time,
            self.last_modified_time,
            escape(&self.arn()),
            escape(&self.endpoint.arn),
        )
    }
}

/// `VpcOriginEndpointConfig`: the load balancer or instance behind a VPC origin, and how CloudFront
/// speaks to it.
#[derive(Debug, Clone)]
struct EndpointConfig {
    name: String,
    arn: String,
    http_port: i32,
    https_port: i32,
    origin_protocol_policy: String,
    /// `OriginSslProtocols.Items` (`SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`), when sent.
    origin_ssl_protocols: Option<Vec<String>>,
    ip_address_type: Option<String>,
}

impl EndpointConfig {
    /// Reads the element `decoder` stands on; the message names a missing or broken member.
    fn read(decoder: &mut ScopedDecoder) -> Result<EndpointConfig, String> {
        let mut leaves = BTreeMap::new();
        let mut origin_ssl_protocols = None;
        while let Some(mut child) = decoder.next_tag() {
            if child.start_el().matches("OriginSslProtocols") {
                origin_ssl_protocols = Some(read_list(&mut child, "SslProtocol"));
            } else {
                let name = child.start_el().local().to_owned();
                if let Ok(text) = try_data(&mut child) {
                    leaves.insert(name, text.into_owned());
                }
            }
        }
        Ok(EndpointConfig {
            name: required(&leaves, "Name")?,
            arn: required(&leaves, "Arn")?,
            http_port: integer(&leaves, "HTTPPort")?.ok_or("HTTPPort is required")?,
            https_port: integer(&leaves, "HTTPSPort")?.ok_or("HTTPSPort is required")?,
            origin_protocol_policy: required(&leaves, "OriginProtocolPolicy")?,
            origin_ssl_protocols,
            ip_address_type: leaves.get("IpAddressType").cloned(),
        })
    }

    /// `<VpcOriginEndpointConfig>…</VpcOriginEndpointConfig>`, members in the model's order.
    fn to_xml(&self) -> String {
        let protocols = self
            .origin_ssl_protocols
            .as_ref()
            .map(|items| {
                let items: String = items
                    .iter()
                    .map(|p| format!("<SslProtocol>{}</SslProtocol>", escape(p)))
                    .collect();
                format!(
                    "<OriginSslProtocols><Quantity>{}</Quantity><Items>{items}</Items></OriginSslProtocols>",
                    self.origin_ssl_protocols.as_ref().map_or(0, Vec::len)
                )
            })
            .unwrap_or_default();
        let ip_address_type = optional("IpAddressType", self.ip_address_type.as_ref());
        format!(
            "<VpcOriginEndpointConfig><Name>{}</Name><Arn>{}</Arn><HTTPPort>{}</HTTPPort>\
             <HTTPSPort>{}</HTTPSPort><OriginProtocolPolicy>{}</OriginProtocolPolicy>{protocols}\
             {ip_address_type}</VpcOriginEndpointConfig>",
            escape(&self.name),
            escape(&self.arn),
            self.http_port,
            self.https_port,
            escape(&self.origin_protocol_policy),
        )
    }
}

/// `Origin.VpcOriginConfig` of a distribution, as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VpcOriginConfig {
    vpc_origin_id: String,
    owner_account_id: Option<String>,
    origin_read_timeout: Option<i32>,
    origin_keepalive_timeout: Option<i32>,
}

impl VpcOriginConfig {
    fn read(decoder: &mut ScopedDecoder) -> Result<VpcOriginConfig, String> {
        let mut leaves = BTreeMap::new();
        while let Some(mut child) = decoder.next_tag() {
            let name = child.start_el().local().to_owned();
            if let Ok(text) = try_data(&mut child) {
                leaves.insert(name, text.into_owned());
            }
        }
        Ok(VpcOriginConfig {
            vpc_origin_id: required(&leaves, "VpcOriginId")?,
            owner_account_id: leaves.get("OwnerAccountId").cloned(),
            origin_read_timeout: integer(&leaves, "OriginReadTimeout")?,
            origin_keepalive_timeout: integer(&leaves, "OriginKeepaliveTimeout")?,
        })
    }

    /// `<VpcOriginConfig>…</VpcOriginConfig>` with the members that were sent, in the model's order.
    fn to_xml(&self) -> String {
        format!(
            "<VpcOriginConfig><VpcOriginId>{}</VpcOriginId>{}{}{}</VpcOriginConfig>",
            escape(&self.vpc_origin_id),
            optional("OwnerAccountId", self.owner_account_id.as_ref()),
            optional("OriginReadTimeout", self.origin_read_timeout.as_ref()),
            optional(
                "OriginKeepaliveTimeout",
                self.origin_keepalive_timeout.as_ref()
            ),
        )
    }
}

/// One page of a CloudFront list: the items after `Marker`, at most `MaxItems` of them.
struct Page<'a> {
    marker: String,
    max_items: usize,
    items: Vec<&'a str>,
    /// The last item of this page, when more follow.
    next_marker: Option<&'a str>,
}

impl<'a> Page<'a> {
    /// The page `request` asks for out of `keys` (ascending). As in CloudFront, the page holds the
    /// items that come after the marker, and `NextMarker` is what to send as the next `Marker`.
    fn of(request: &Request, keys: impl Iterator<Item = &'a str>) -> Result<Page<'a>, Answer> {
        let marker = request.query("Marker").unwrap_or("").to_owned();
        let max_items = match request.query("MaxItems") {
            None => DEFAULT_MAX_ITEMS,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(request.error(
                        400,
                        "InvalidArgument",
                        "MaxItems must be a positive integer.",
                    ))
                }
            },
        };
        let mut after = keys.filter(|key| marker.is_empty() || *key > marker.as_str());
        let items: Vec<&str> = after.by_ref().take(max_items).collect();
        let next_marker = if after.next().is_some() {
            items.last().copied()
        } else {
            None
        };
        Ok(Page {
            marker,
            max_items,
            items,
            next_marker,
        })
    }

    /// A 200 answer: the list document `root` around `items` (already XML).
    fn answer(&self, root: &str, items: &[String]) -> Answer {
        let next_marker = self
            .next_marker
            .map(|m| format!("<NextMarker>{}</NextMarker>", escape(m)))
            .unwrap_or_default();
        let items_xml = if items.is_empty() {
            String::new()
        } else {
            format!("<Items>{}</Items>", items.concat())
        };
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NAMESPACE}\">\
             <Marker>{}</Marker>{next_marker}<MaxItems>{}</MaxItems><IsTruncated>{}</IsTruncated>\
             <Quantity>{}</Quantity>{items_xml}</{root}>",
            escape(&self.marker),
            self.max_items,
            self.next_marker.is_some(),
            items.len(),
        );
        Answer::new(200, "text/xml", Vec::new(), body)
    }
}

/// The `VpcOriginConfig` of each origin of the `DistributionConfig` (or `DistributionConfigWithTags`)
/// in `body`, by origin id. A body that does not parse remembers nothing; moto judges it.
fn read_vpc_origin_configs(body: &[u8]) -> BTreeMap<String, VpcOriginConfig> {
    let mut configs = BTreeMap::new();
    let Ok(text) = std::str::from_utf8(body) else {
        return configs;
    };
    let mut document = Document::new(text);
    let Ok(mut root) = document.root_element() else {
        return configs;
    };
    if root.start_el().matches("DistributionConfigWithTags") {
        while let Some(mut child) = root.next_tag() {
            if child.start_el().matches("DistributionConfig") {
                read_origins(&mut child, &mut configs);
            }
        }
    } else {
        read_origins(&mut root, &mut configs);
    }
    configs
}

/// `DistributionConfig` → `Origins` → `Items` → each `Origin`'s `Id` and `VpcOriginConfig`.
fn read_origins(config: &mut ScopedDecoder, configs: &mut BTreeMap<String, VpcOriginConfig>) {
    while let Some(mut origins) = config.next_tag() {
        if !origins.start_el().matches("Origins") {
            continue;
        }
        while let Some(mut items) = origins.next_tag() {
            if !items.start_el().matches("Items") {
                continue;
            }
            while let Some(mut origin) = items.next_tag() {
                let mut id = None;
                let mut vpc_origin_config = None;
                while let Some(mut member) = origin.next_tag() {
                    if member.start_el().matches("Id") {
                        id = try_data(&mut member).ok().map(|t| t.into_owned());
                    } else if member.start_el().matches("VpcOriginConfig") {
                        vpc_origin_config = VpcOriginConfig::read(&mut member).ok();
                    }
                }
                if let (Some(id), Some(config)) = (id, vpc_origin_config) {
                    configs.insert(id, config);
                }
            }
        }
    }
}

/// Runs `read` on the root element of the request's XML body.
fn read_body<T>(
    request: &Request,
    read: impl FnOnce(&mut ScopedDecoder) -> Result<T, String>,
) -> Result<T, String> {
    let text = std::str::from_utf8(&request.body).map_err(|_| "the body is not UTF-8")?;
    let mut document = Document::new(text);
    let mut root = document
        .root_element()
        .map_err(|e| format!("the body is not XML: {e}"))?;
    read(&mut root)
}

/// The text of each `<item>` child of the `Items` child of the element `decoder` stands on.
fn read_list(decoder: &mut ScopedDecoder, item: &str) -> Vec<String> {
    let mut values = Vec::new();
    while let Some(mut child) = decoder.next_tag() {
        if !child.start_el().matches("Items") {
            continue;
        }
        while let Some(mut value) = child.next_tag() {
            if value.start_el().matches(item) {
                if let Ok(text) = try_data(&mut value) {
                    values.push(text.into_owned());
                }
            }
        }
    }
    values
}

fn required(leaves: &BTreeMap<String, String>, name: &str) -> Result<String, String> {
    leaves
        .get(name)
        .cloned()
        .ok_or_else(|| format!("{name} is required"))
}

fn integer(leaves: &BTreeMap<String, String>, name: &str) -> Result<Option<i32>, String> {
    leaves
        .get(name)
        .map(|text| {
            text.trim()
                .parse()
                .map_err(|_| format!("{name} must be an integer"))
        })
        .transpose()
}

/// The unescaped text of the first `<name>` element in `xml` (the first child of the elements this
/// is used on, so no nested element can be mistaken for it).
fn text_of(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)?;
    let end = start + xml[start..].find(&close)? + close.len();
    let mut document = Document::new(&xml[start..end]);
    let mut element = document.root_element().ok()?;
    try_data(&mut element).ok().map(|text| text.into_owned())
}

/// 412 `PreconditionFailed` unless `If-Match` is `etag`; 400 `InvalidIfMatchVersion` without one.
fn check_if_match(request: &Request, etag: &str) -> Option<Answer> {
    match request.header("if-match") {
        None => Some(request.error(
            400,
            "InvalidIfMatchVersion",
            "The If-Match version is missing or not valid for the resource.",
        )),
        Some(given) if given != etag => Some(request.error(
            412,
            "PreconditionFailed",
            "The precondition given in one or more of the request-header fields evaluated to false.",
        )),
        Some(_) => None,
    }
}

fn not_found(request: &Request) -> Answer {
    request.error(404, "EntityNotFound", "The VPC origin does not exist.")
}

/// Now, as CloudFront writes timestamps (ISO 8601, UTC).
fn now() -> String {
    DateTime::from(SystemTime::now())
        .fmt(Format::DateTime)
        .expect("the current time formats as a date-time")
}

/// `<name>value</name>`, or nothing for a member that was not sent.
fn optional(name: &str, value: Option<&impl std::fmt::Display>) -> String {
    value
        .map(|value| format!("<{name}>{}</{name}>", escape(&value.to_string())))
        .unwrap_or_default()
}

/// `text` with the five XML special characters escaped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}
