//! STS `AssumeRole` as AWS refuses it, answered by the fault proxy ([`super::fault_proxy`]).
//!
//! moto 5.2.5 assumes any role ARN, existing or not, whatever the external id: a hub that reads a
//! member account through a role the member never created would look healthy. The proxy asks moto
//! itself, in the target account (IAM `GetRole` with `x-moto-account-id`), for the role and its
//! trust policy, and answers 403 `AccessDenied` in STS's own XML error format when
//!
//! - the target account has no role of that name (`NoSuchEntity`), or
//! - no `Allow` statement of the trust policy grants `sts:AssumeRole` with a `StringEquals`
//!   `sts:ExternalId` condition the request's `ExternalId` meets (a statement without that
//!   condition allows any external id, or none).
//!
//! Otherwise moto answers, with credentials that act in the role's account. Deliberately not
//! evaluated: the trust policy's `Principal` and its other conditions (`aws:PrincipalOrgID`,
//! `aws:PrincipalArn`): every test request carries moto's dummy credentials, whose identity no
//! template's principal names. The SDK sends AssumeRole as a form-encoded POST (awsQuery protocol):
//! `Action=AssumeRole&RoleArn=…&RoleSessionName=…&ExternalId=…`.

use std::net::SocketAddr;

use serde_json::Value;

use super::fault_proxy::{exchange, Answer, Request};

/// The namespace of STS's documents.
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The `RoleArn` an AssumeRole request names, decoded.
pub(super) fn role_arn(request: &Request) -> Option<String> {
    form_value(&request.body, "RoleArn")
}

/// AccessDenied when AWS would refuse `request` (an AssumeRole), else `None` to let moto answer.
pub(super) async fn refusal(upstream: SocketAddr, request: &Request) -> Option<Answer> {
    let role_arn = role_arn(request)?;
    let Some((account, role_name)) = parse_role_arn(&role_arn) else {
        return Some(error(
            400,
            "ValidationError",
            &format!("{role_arn} is invalid"),
        ));
    };
    let external_id = form_value(&request.body, "ExternalId");
    let allowed = match trust_policy(upstream, request, account, role_name).await {
        Some(policy) => allows(&policy, external_id.as_deref()),
        None => false,
    };
    if allowed {
        return None;
    }
    let caller = caller_arn(upstream, request)
        .await
        .unwrap_or_else(|| "the caller".to_owned());
    Some(error(
        403,
        "AccessDenied",
        &format!(
            "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        ),
    ))
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` → (ACCOUNT, NAME).
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (arn_prefix, _partition, service, _region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    let valid = arn_prefix == "arn"
        && service == "iam"
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty();
    valid.then_some((account, name))
}

/// The role's trust policy as moto holds it in `account` (`None`: no such role).
async fn trust_policy(
    upstream: SocketAddr,
    original: &Request,
    account: &str,
    role_name: &str,
) -> Option<Value> {
    let mut headers = vec![
        (
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("x-moto-account-id".to_owned(), account.to_owned()),
        // moto picks the service from the credential scope; it does not check signatures.
        (
            "Authorization".to_owned(),
            "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, \
             SignedHeaders=host, Signature=0"
                .to_owned(),
        ),
    ];
    if let Some(host) = original.header("host") {
        headers.push(("Host".to_owned(), host.to_owned()));
    }
    let body = format!(
        "Action=GetRole&Version=2010-05-08&RoleName={}",
        percent_encode(role_name)
    );
    let answer = exchange(upstream, &Request::new("POST", "/", headers, body)).await?;
    if answer.status() != 200 {
        return None;
    }
    let text = String::from_utf8_lossy(&answer.body);
    let document = element_text(&text, "AssumeRolePolicyDocument")?;
    // IAM answers the document URL-encoded; moto does too.
    let decoded = percent_decode(&xml_unescape(document), false);
    serde_json::from_str(&decoded).ok()
}

/// The caller's ARN, as `GetCallerIdentity` with the request's own credentials gives it.
async fn caller_arn(upstream: SocketAddr, original: &Request) -> Option<String> {
    let headers = original
        .headers()
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("connection"))
        .cloned()
        .collect();
    let body = "Action=GetCallerIdentity&Version=2011-06-15".to_owned();
    let answer = exchange(upstream, &Request::new("POST", "/", headers, body)).await?;
    let text = String::from_utf8_lossy(&answer.body);
    (answer.status() == 200)
        .then(|| element_text(&text, "Arn").map(xml_unescape))
        .flatten()
}

/// Whether a trust policy lets `sts:AssumeRole` through with `external_id`.
fn allows(policy: &Value, external_id: Option<&str>) -> bool {
    let statements = match &policy["Statement"] {
        Value::Array(statements) => statements.clone(),
        statement @ Value::Object(_) => vec![statement.clone()],
        _ => Vec::new(),
    };
    statements.iter().any(|statement| {
        statement["Effect"] == "Allow"
            && strings(&statement["Action"])
                .iter()
                .any(|action| ["sts:AssumeRole", "sts:*", "*"].contains(&action.as_str()))
            && match statement["Condition"]["StringEquals"].get("sts:ExternalId") {
                None => true,
                Some(wanted) => {
                    external_id.is_some_and(|given| strings(wanted).contains(&given.to_owned()))
                }
            }
    })
}

/// A policy value that is a string or a list of strings, as a list.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// STS's error document (awsQuery: `<ErrorResponse>` with `Type`, `Code`, `Message`, `RequestId`).
fn error(status: u16, code: &str, message: &str) -> Answer {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    let body = format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>{kind}</Type><Code>{code}</Code>\
         <Message>{}</Message></Error><RequestId>fault-proxy-sts</RequestId></ErrorResponse>",
        xml_escape(message)
    );
    Answer::new(status, "text/xml", Vec::new(), body)
}

/// The text of the first `<name>` element of `xml` (still escaped).
fn element_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// The value of `name` in a form-encoded body, decoded.
fn form_value(body: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(body).split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (percent_decode(key, true) == name).then(|| percent_decode(value, true))
    })
}

/// Percent-decoding; in a form body `+` is a space too.
fn percent_decode(text: &str, form: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if form => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xml_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
