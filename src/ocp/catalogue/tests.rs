use super::*;

#[test]
fn dump() {
    for v in OcpVersion::ALL {
        let c = Catalogue::of(v);
        println!("== {v} {}", c.endpoints.len());
        for e in &c.endpoints {
            if e.sample.origin != Origin::Documented {
                println!("{:?} {} {} {:?}", e.sample.origin, e.method, e.pattern, e.sample.data.as_ref().map(|d| d.to_string().len()));
            }
        }
    }
    let c = Catalogue::of(OcpVersion::V4_3_4);
    for e in c.endpoints.iter().take(400) {
        let ps: Vec<String> = e.params.iter().map(|p| format!("{}:{:?}:{:?}:{}", p.name, p.location, p.kind, p.required)).collect();
        println!("{} {} | {}{} | {}", e.method, e.pattern, e.sample_request.path, e.sample_request.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default(), ps.join(" "));
    }
}
