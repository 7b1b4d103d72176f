//! `--vary PATH=VALUES`: the values of one varied path (lists and ranges), and the points of
//! a grid or of `--zip`.

use crate::error::{Error, Result};
use crate::scenario::overrides::{Override, split_list};

/// The most values one `--vary` may give.
pub const MAX_VALUES: usize = 10_000;
/// The most points a grid may have.
pub const MAX_POINTS: usize = 1_000_000;

/// One `--vary PATH=VALUES`.
#[derive(Clone, Debug)]
pub struct Vary {
    /// The path as written (the name of its sweep.csv column).
    pub path: String,
    /// Its values, in order, each as an override of the path (of the field an alias such as
    /// `demand` stands for: see [`field_path`]).
    pub values: Vec<Override>,
}

/// The field a `--vary` path names. `demand` is the scenario's demand factor
/// (`scenario.demand`, as `--demand FACTOR`) and `demand.FLOW` a flow's (`flows.FLOW.demand`,
/// as `--demand FLOW=FACTOR`; `demand.*` every flow's); any other path is itself.
pub fn field_path(path: &str) -> String {
    match path.strip_prefix("demand") {
        Some("") => "scenario.demand".to_string(),
        Some(rest) => match rest.strip_prefix('.') {
            Some(flow) if !flow.is_empty() => format!("flows.{flow}.demand"),
            _ => path.to_string(),
        },
        None => path.to_string(),
    }
}

pub(super) fn bad(arg: &str, message: impl Into<String>) -> Error {
    Error::Param {
        flag: "--vary",
        arg: arg.to_string(),
        message: message.into(),
    }
}

impl Vary {
    /// Parses `PATH=v1,v2,...` or `PATH=start..end:step`.
    pub fn parse(arg: &str) -> Result<Vary> {
        let Some((path, list)) = arg.split_once('=') else {
            return Err(bad(
                arg,
                "expected PATH=v1,v2,... or PATH=start..end:step, e.g. nodes.PORT_POTI.servers=2,3,4",
            ));
        };
        let (path, list) = (path.trim(), list.trim());
        // Commas inside a quoted value do not separate values: "a, b","c".
        let raws: Vec<String> = if is_range(list) {
            range(list).map_err(|m| bad(arg, m))?
        } else {
            split_list(list).map_err(|m| bad(arg, m))?
        };
        if raws.iter().any(String::is_empty) {
            return Err(bad(
                arg,
                "a value is empty; separate values with single commas, e.g. 2,3,4",
            ));
        }
        if raws.len() > MAX_VALUES {
            return Err(bad(
                arg,
                format!("gives {} values; at most {MAX_VALUES}", raws.len()),
            ));
        }
        let field = field_path(path);
        let mut values = Vec::with_capacity(raws.len());
        for raw in &raws {
            let ov = Override::new("--vary", &field, raw)?;
            if values
                .iter()
                .any(|v: &Override| v.display_value() == ov.display_value())
            {
                return Err(bad(
                    arg,
                    format!("gives the value {raw} twice; each point must differ"),
                ));
            }
            values.push(ov);
        }
        Ok(Vary {
            path: path.to_string(),
            values,
        })
    }
}

/// Whether the values of a `--vary` are a range: `start..end` (and `:step`, which [`range`]
/// checks) where start and end are plain numbers, each with an optional unit (`2..10:2`,
/// `100d..400d:100d`). Any other text with `..` in it, such as the parent-folder path
/// `../data/x.csv` or a list `a..b,c`, is a list of values.
pub(super) fn is_range(list: &str) -> bool {
    let number = |s: &str| {
        let s = s.trim();
        let s = s.strip_prefix('-').unwrap_or(s);
        let n = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let (int, frac) = n.split_once('.').unwrap_or((n, ""));
        !int.is_empty()
            && int.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit())
    };
    match list.split_once("..") {
        Some((start, rest)) if !list.contains(',') => {
            number(start) && number(rest.split_once(':').map_or(rest, |(end, _)| end))
        }
        _ => false,
    }
}

/// A decimal as (integer of units of 10^-decimals, decimals).
pub(super) fn decimal(s: &str) -> std::result::Result<(i128, u32), String> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && int.len() + frac.len() <= 30;
    if !ok {
        return Err(format!(
            "\"{s}\" is not a plain decimal number (digits, an optional '-' and '.'), as ranges need"
        ));
    }
    let v: i128 = format!("{int}{frac}")
        .parse()
        .map_err(|_| format!("\"{s}\" is too long"))?;
    Ok((if neg { -v } else { v }, frac.len() as u32))
}

/// Expands `start..end:step` into value texts.
pub(super) fn range(spec: &str) -> std::result::Result<Vec<String>, String> {
    const FORM: &str = "a range is start..end:step, e.g. 2..10:2, 0.5..1.5:0.25 or 100d..400d:100d";
    let (span, step) = spec
        .rsplit_once(':')
        .ok_or(format!("\"{spec}\" has no :step; {FORM}"))?;
    let (start, end) = span.split_once("..").ok_or(format!("\"{spec}\": {FORM}"))?;
    let split_unit = |s: &str| {
        let s = s.trim();
        let n = s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
        (s[..n].trim().to_string(), s[n..].to_string())
    };
    let parts = [split_unit(start), split_unit(end), split_unit(step)];
    let unit = parts[0].1.clone();
    if parts.iter().any(|p| p.1 != unit) {
        return Err(format!(
            "start, end and step carry different units ({}, {}, {}); use one unit for all three, e.g. 100d..400d:100d",
            if parts[0].1.is_empty() {
                "none"
            } else {
                &parts[0].1
            },
            if parts[1].1.is_empty() {
                "none"
            } else {
                &parts[1].1
            },
            if parts[2].1.is_empty() {
                "none"
            } else {
                &parts[2].1
            },
        ));
    }
    let nums: Vec<(i128, u32)> = parts
        .iter()
        .map(|p| decimal(&p.0))
        .collect::<std::result::Result<_, _>>()?;
    let d = nums.iter().map(|n| n.1).max().unwrap_or(0);
    let scaled: Vec<i128> = nums.iter().map(|&(v, k)| v * 10i128.pow(d - k)).collect();
    let (a, b, s) = (scaled[0], scaled[1], scaled[2]);
    if s <= 0 {
        return Err(format!("the step must be > 0; {FORM}"));
    }
    if b < a {
        return Err(format!("the end is below the start; {FORM}"));
    }
    let count = (b - a) / s + 1;
    if count > MAX_VALUES as i128 {
        return Err(format!(
            "the range has {count} values; at most {MAX_VALUES}"
        ));
    }
    Ok((0..count)
        .map(|i| {
            let v = a + i * s;
            let text = if d == 0 {
                v.to_string()
            } else {
                let p = 10i128.pow(d);
                let sign = if v < 0 { "-" } else { "" };
                let frac = format!("{:0width$}", (v.abs() % p), width = d as usize);
                let frac = frac.trim_end_matches('0');
                let frac = if frac.is_empty() { "0" } else { frac };
                format!("{sign}{}.{frac}", v.abs() / p)
            };
            format!("{text}{unit}")
        })
        .collect())
}

/// The number of points of the grid (at most [`MAX_POINTS`]).
pub(super) fn grid_size(varies: &[Vary]) -> Result<usize> {
    varies
        .iter()
        .try_fold(1usize, |acc, v| acc.checked_mul(v.values.len()))
        .filter(|&t| t <= MAX_POINTS)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the grid of {} has more than {MAX_POINTS} points; split the study",
                varies
                    .iter()
                    .map(|v| format!("{} values of {}", v.values.len(), v.path))
                    .collect::<Vec<_>>()
                    .join(" x ")
            ))
        })
}

/// Point `n` of the grid: the index of its value in each `Vary`, the first `Vary` being the
/// outermost loop.
pub(super) fn grid_point(varies: &[Vary], mut n: usize) -> Vec<usize> {
    let mut p = vec![0; varies.len()];
    for (k, v) in varies.iter().enumerate().rev() {
        p[k] = n % v.values.len();
        n /= v.values.len();
    }
    p
}

/// The points of the grid: for each point, the index of its value in each `Vary`. The first
/// `Vary` is the outermost loop.
pub fn grid(varies: &[Vary]) -> Result<Vec<Vec<usize>>> {
    Ok((0..grid_size(varies)?)
        .map(|n| grid_point(varies, n))
        .collect())
}

/// The number of points of `--zip` (every `Vary` must give as many values).
pub(super) fn zip_size(varies: &[Vary]) -> Result<usize> {
    let n = varies.first().map_or(0, |v| v.values.len());
    if varies.iter().any(|v| v.values.len() != n) {
        return Err(Error::Usage(format!(
            "--zip pairs the values of every --vary by position, so each must give as many; here {}",
            varies
                .iter()
                .map(|v| format!("{} has {}", v.path, v.values.len()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(n)
}

/// `--zip`: the points pair the values of every `Vary` by position (point k takes the k-th
/// value of each), so every `Vary` must give as many values.
pub fn zip(varies: &[Vary]) -> Result<Vec<Vec<usize>>> {
    Ok((0..zip_size(varies)?)
        .map(|k| vec![k; varies.len()])
        .collect())
}

/// Point `n`: the index of its value in each `Vary`, of the grid or, with `zip`, of the list.
pub(super) fn point(varies: &[Vary], zip: bool, n: usize) -> Vec<usize> {
    match zip {
        true => vec![n; varies.len()],
        false => grid_point(varies, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_exact() {
        assert_eq!(range("2..10:2").unwrap(), ["2", "4", "6", "8", "10"]);
        assert_eq!(range("0.1..0.3:0.1").unwrap(), ["0.1", "0.2", "0.3"]);
        assert_eq!(
            range("0.5..1.5:0.25").unwrap(),
            ["0.5", "0.75", "1.0", "1.25", "1.5"]
        );
        assert_eq!(
            range("100d..400d:100d").unwrap(),
            ["100d", "200d", "300d", "400d"]
        );
        assert_eq!(range("1..10:4").unwrap(), ["1", "5", "9"]);
        assert_eq!(range("-1..1:1").unwrap(), ["-1", "0", "1"]);
        for bad in [
            "1..5",
            "5..1:1",
            "1..5:0",
            "1d..5h:1d",
            "1e3..2e3:1",
            "a..b:1",
            "1..5:-1",
        ] {
            assert!(range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grid_order_first_vary_outermost() {
        let a = Vary::parse("x=1,2").unwrap();
        let b = Vary::parse("y=a,b,c").unwrap();
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
        assert!(Vary::parse("x=1,1").is_err());
        assert!(Vary::parse("x=1,,2").is_err());
        assert!(Vary::parse("x").is_err());
    }

    #[test]
    fn demand_is_an_alias() {
        let v = Vary::parse("demand=1,1.5").unwrap();
        assert_eq!(v.path, "demand");
        assert_eq!(v.values[1].path, "scenario.demand");
        assert_eq!(v.values[1].display_value(), "1.5");
        let v = Vary::parse("demand.xian-poti=1..2:0.5").unwrap();
        assert_eq!(v.values[0].path, "flows.xian-poti.demand");
        assert_eq!(v.values.len(), 3);
        assert_eq!(field_path("demand.*"), "flows.*.demand");
        assert_eq!(field_path("demand.a.b"), "flows.a.b.demand");
        for same in ["demands", "demand.", "flows.a.demand", "scenario.demand"] {
            assert_eq!(field_path(same), same);
        }
    }

    #[test]
    fn only_numbers_make_a_range() {
        let values = |arg: &str| -> Vec<String> {
            Vary::parse(arg)
                .unwrap()
                .values
                .iter()
                .map(Override::display_value)
                .collect()
        };
        assert_eq!(values("x=1..3:1"), ["1", "2", "3"]);
        assert_eq!(values("x=-1.5..-0.5:0.5"), ["-1.5", "-1.0", "-0.5"]);
        assert_eq!(values("x=100d..300d:100d"), ["100d", "200d", "300d"]);
        assert_eq!(values("f=../data/x.csv"), ["../data/x.csv"]);
        assert_eq!(
            values("f=../a.csv,data/v1..v2.csv"),
            ["../a.csv", "data/v1..v2.csv"]
        );
        for range in ["x=1..4", "x=4..1:1", "x=1..4:0", "x=10d..20h:1d"] {
            assert!(Vary::parse(range).is_err(), "{range}");
        }
    }
}
