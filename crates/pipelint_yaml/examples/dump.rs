fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(path).expect("read");
    let p = pipelint_yaml::parse(&text, &Default::default());
    for pr in &p.problems {
        println!("{:?} {:?} {}", pr.kind, pr.span, pr.message);
    }
    println!("docs {}", p.documents.len());
}
