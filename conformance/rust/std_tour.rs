// args: alpha "two words" "" --count=3 ünïcödé
// env: C2WT_NAME=rust guest
// env: C2WT_EMPTY=
// env: C2WT_LIST=b:a:c
// stdin: 3 1 4 1 5 9 2 6
// stdin: the quick brown fox jumps over the lazy dog the end
// A tour of Rust's standard library, built statically for
// x86_64-unknown-linux-musl: formatting, collections, floating-point
// formatting and parsing, checked and wrapping integer arithmetic, string
// processing, a panic caught with catch_unwind, arguments, environment,
// standard input and an exit status. Prints only what is deterministic.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::env;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::panic;

fn formatting(out: &mut String) {
    let _ = writeln!(
        out,
        "[{:>8}] [{:<8}] [{:^8}] [{:*^9}]",
        "right", "left", "mid", "star"
    );
    let _ = writeln!(
        out,
        "{:08.3} {:+} {:#x} {:#o} {:#b} {:e}",
        -3.14159, 42, 255, 8, 5, 1234.5
    );
    let _ = writeln!(out, "{:?} {:?} {:?}", "quote\"d\n", 'c', Some((1, "two")));
    let _ = writeln!(out, "{:#?}", vec![(1, 'a'), (2, 'b')]);
    let _ = writeln!(out, "{0} {1} {0} {name}", "x", "y", name = "named");
    let width = 12;
    let _ = writeln!(out, "[{:>width$.2}] [{:<1$}]", 2.0f64.sqrt(), width);
    let _ = writeln!(out, "{} {} {}", u128::MAX, i128::MIN, usize::MAX);
}

fn collections(out: &mut String) {
    let text = "it was the best of times it was the worst of times";
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for word in text.split(' ') {
        *counts.entry(word).or_default() += 1;
    }
    // HashMap order is random per process: print it sorted.
    let mut pairs: Vec<(&&str, &usize)> = counts.iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "counts {pairs:?}");
    let tree: BTreeMap<usize, Vec<&str>> = counts.iter().fold(BTreeMap::new(), |mut m, (w, c)| {
        m.entry(*c).or_insert_with(Vec::new).push(*w);
        m
    });
    for (count, words) in &tree {
        let mut words = words.clone();
        words.sort_unstable();
        let _ = writeln!(out, "  {count}: {}", words.join(","));
    }
    let mut v: Vec<i64> = (0..40).map(|i: i64| (i * 7919) % 101 - 50).collect();
    v.sort();
    let _ = writeln!(out, "sorted {:?}", &v[..10]);
    v.sort_by_key(|x| (x.abs(), *x));
    let _ = writeln!(out, "by abs {:?}", &v[..10]);
    v.dedup();
    let _ = writeln!(
        out,
        "len {} sum {} max {:?} min {:?}",
        v.len(),
        v.iter().sum::<i64>(),
        v.iter().max(),
        v.iter().min()
    );
    let mut strings = vec!["pear", "Apple", "banana", "apple", "Banana", "cherry"];
    strings.sort_by_key(|s| s.to_lowercase());
    let _ = writeln!(out, "strings {strings:?}");
    let set: BTreeSet<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let _ = writeln!(out, "letters {}", set.iter().collect::<String>());
    let mut deque: VecDeque<u32> = (1..=5).collect();
    deque.rotate_left(2);
    deque.push_front(0);
    let _ = writeln!(out, "deque {deque:?} {:?}", deque.binary_search(&4));
    let position = v.binary_search(&3);
    let _ = writeln!(
        out,
        "binary_search {position:?} chunks {:?}",
        [1, 2, 3, 4, 5].chunks(2).collect::<Vec<_>>()
    );
}

fn floats(out: &mut String) {
    let values = [
        0.1 + 0.2,
        1.0 / 3.0,
        1e300 * 10.0,
        -0.0,
        f64::NAN,
        f64::MIN_POSITIVE / 3.0,
        2.5,
        -2.5,
        1e21,
        123456789.125,
    ];
    for v in values {
        let _ = writeln!(
            out,
            "{v} {v:?} {v:.3} {v:e} round {} trunc {} as_i32 {}",
            v.round(),
            v.trunc(),
            v as i32
        );
    }
    let f: f32 = 16777217.0;
    let _ = writeln!(out, "f32 {f} {} {}", f32::EPSILON, (0.1f32 + 0.2f32) as f64);
    let parsed: Vec<Result<f64, _>> = ["3.25", "-1e-7", "inf", "nan", "0x10", "1_000"]
        .iter()
        .map(|s| s.parse::<f64>())
        .collect();
    let _ = writeln!(out, "parsed {parsed:?}");
    let x = 0.7f64;
    let _ = writeln!(
        out,
        "libm {:.15} {:.15} {:.15} {:.15} {:.15} {:.15}",
        x.sin(),
        x.exp(),
        x.ln(),
        x.powf(2.5),
        x.atan2(0.3),
        x.cbrt()
    );
    let _ = writeln!(
        out,
        "mul_add {} hypot {} bits {:#018x}",
        0.1f64.mul_add(10.0, -1.0),
        3f64.hypot(4.0),
        1.5f64.to_bits()
    );
    let mut total = 0.0f64;
    for i in 1..=1000 {
        total += 1.0 / (i as f64 * i as f64);
    }
    let _ = writeln!(out, "basel {total:.17}");
}

fn integers(out: &mut String) {
    let _ = writeln!(
        out,
        "checked {:?} {:?} {:?} {:?}",
        i32::MAX.checked_add(1),
        200u8.checked_mul(2),
        5u32.checked_sub(6),
        i64::MIN.checked_div(-1)
    );
    let _ = writeln!(
        out,
        "wrapping {} {} {} {}",
        i32::MAX.wrapping_add(1),
        200u8.wrapping_mul(2),
        i64::MIN.wrapping_div(-1),
        (-7i32).wrapping_rem(3)
    );
    let _ = writeln!(
        out,
        "overflowing {:?} {:?}",
        u64::MAX.overflowing_add(2),
        i16::MIN.overflowing_neg()
    );
    let _ = writeln!(
        out,
        "saturating {} {} {}",
        i8::MAX.saturating_add(100),
        3u16.saturating_sub(9),
        i32::MIN.saturating_mul(2)
    );
    let _ = writeln!(
        out,
        "div_euclid {} rem_euclid {} pow {} isqrt {}",
        (-7i32).div_euclid(2),
        (-7i32).rem_euclid(2),
        3u64.pow(40),
        1_000_000u64.isqrt()
    );
    let _ = writeln!(
        out,
        "bits {} {} {} {} {:#x}",
        0x00f0u32.leading_zeros(),
        0x00f0u32.trailing_zeros(),
        u64::MAX.count_ones(),
        0x1234u16.swap_bytes(),
        0x12345678u32.rotate_left(12)
    );
    let big: u128 = (1u128 << 100) + 12345;
    let _ = writeln!(
        out,
        "u128 {} {} {}",
        big / 7,
        big % 1_000_000_007,
        big.wrapping_mul(big)
    );
    let _ = writeln!(
        out,
        "parse {:?} {:?} {:?}",
        "-128".parse::<i8>(),
        "256".parse::<u8>(),
        i64::from_str_radix("-ff", 16)
    );
    // Overflow that std panics on in debug builds: checked explicitly here.
    let a: i32 = std::hint::black_box(i32::MAX);
    let _ = writeln!(out, "black_box checked {:?}", a.checked_mul(2));
}

fn strings(out: &mut String) {
    let s = "  Hello, Wörld! ÀÉÎ ß 日本語 🎉  ";
    let _ = writeln!(
        out,
        "trim [{}] len {} chars {}",
        s.trim(),
        s.len(),
        s.chars().count()
    );
    let _ = writeln!(
        out,
        "upper {} lower {}",
        s.trim().to_uppercase(),
        s.trim().to_lowercase()
    );
    let _ = writeln!(out, "rev {}", s.trim().chars().rev().collect::<String>());
    let _ = writeln!(out, "split {:?}", "a,b,,c".split(',').collect::<Vec<_>>());
    let _ = writeln!(
        out,
        "splitn {:?} rsplit_once {:?}",
        "k=v=w".splitn(2, '=').collect::<Vec<_>>(),
        "a/b/c".rsplit_once('/')
    );
    let _ = writeln!(
        out,
        "replace {} find {:?} {:?}",
        "banana".replace("an", "AN"),
        "banana".find("na"),
        "banana".rfind('x')
    );
    let _ = writeln!(
        out,
        "bytes {:?} utf8 {:?}",
        "é".as_bytes(),
        std::str::from_utf8(std::hint::black_box(&[0xff, 0x41])).is_err()
    );
    let words: Vec<String> = "the rain in spain"
        .split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect();
    let _ = writeln!(out, "title {}", words.join(" "));
    let _ = writeln!(
        out,
        "escape {} {}",
        "tab\there".escape_default(),
        "ü".escape_unicode()
    );
    let mut owned = String::with_capacity(4);
    for i in 0..20 {
        owned.push(char::from(b'a' + (i % 26) as u8));
        owned.insert(0, '<');
    }
    let _ = writeln!(out, "grown {} {}", owned.len(), &owned[15..30]);
    let _ = writeln!(
        out,
        "cmp {:?} {:?}",
        "apple".cmp("Apple"),
        "a".partial_cmp("b")
    );
}

/// A panic's message, whichever type its payload has.
fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<not a string>".to_owned()
    }
}

fn panics(out: &mut String) {
    // The default hook names the thread by its id, which differs between
    // processes: this one prints the location and the message only.
    panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        eprintln!(
            "panicked at {}: {}",
            location.unwrap_or_default(),
            payload_text(info.payload())
        );
    }));
    let caught = panic::catch_unwind(|| {
        let v: Vec<u32> = Vec::new();
        let index = std::hint::black_box(3);
        v[index]
    });
    let _ = writeln!(out, "caught index panic: {}", caught.is_err());
    let caught = panic::catch_unwind(|| -> u32 { panic!("custom message {}", 42) });
    let message = caught.err().map(|e| payload_text(&*e)).unwrap_or_default();
    let _ = writeln!(out, "caught custom panic: {message}");
    let caught = panic::catch_unwind(|| {
        let x: Option<u8> = std::hint::black_box(None);
        x.expect("nothing there")
    });
    let _ = writeln!(out, "caught expect panic: {}", caught.is_err());
    let overflow = panic::catch_unwind(|| {
        let a: u8 = std::hint::black_box(255);
        a.checked_add(1).expect("overflow detected")
    });
    let _ = writeln!(out, "caught overflow: {}", overflow.is_err());
    let _ = panic::take_hook();
}

fn main() {
    let mut out = String::new();
    let args: Vec<String> = env::args().skip(1).collect();
    let _ = writeln!(out, "args {} {args:?}", args.len());
    let mut vars: Vec<(String, String)> = env::vars()
        .filter(|(k, _)| k.starts_with("C2WT_"))
        .collect();
    vars.sort();
    let _ = writeln!(out, "env {vars:?}");
    let _ = writeln!(out, "missing {:?}", env::var("C2WT_MISSING"));
    if let Ok(list) = env::var("C2WT_LIST") {
        let mut parts: Vec<&str> = list.split(':').collect();
        parts.sort();
        let _ = writeln!(out, "list {parts:?}");
    }
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).expect("stdin");
    let mut lines = input.lines();
    let mut numbers: Vec<i32> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    numbers.sort_unstable_by(|a, b| b.cmp(a));
    let _ = writeln!(
        out,
        "numbers {numbers:?} median {:?}",
        numbers.get(numbers.len() / 2)
    );
    let mut freq: BTreeMap<&str, u32> = BTreeMap::new();
    for w in lines.flat_map(str::split_whitespace) {
        *freq.entry(w).or_insert(0) += 1;
    }
    let _ = writeln!(out, "freq {freq:?}");

    formatting(&mut out);
    collections(&mut out);
    floats(&mut out);
    integers(&mut out);
    strings(&mut out);
    print!("{out}");
    out.clear();
    io::stdout().flush().expect("flush");
    panics(&mut out);
    print!("{out}");
    eprintln!("done; exiting with {}", args.len() + 40);
    std::process::exit(args.len() as i32 + 40);
}
