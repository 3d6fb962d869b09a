//! Plain-language monitor schedules ("every day at 9am EST", "every
//! Monday at 6 PM", "every weekday at 9:00") read into a 5-field cron
//! and the ticks it makes (`docs/api.md`, section 5).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The most often the sandbox's "plan" lets a monitor run: once an hour.
pub(crate) const MIN_HOURS_APART: u32 = 1;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Schedule {
    pub minute: u8,
    /// Sorted hours of the day the schedule fires.
    pub hours: Vec<u8>,
    /// Days it fires, Sunday first (cron numbering).
    pub days: [bool; 7],
    /// IANA name.
    pub tz: String,
}

const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Zone abbreviations people write in schedules, as IANA zones.
fn zone_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "utc" | "gmt" | "z" => "UTC",
        "est" | "edt" | "et" => "America/New_York",
        "cst" | "cdt" | "ct" => "America/Chicago",
        "mst" | "mdt" | "mt" => "America/Denver",
        "pst" | "pdt" | "pt" => "America/Los_Angeles",
        "bst" => "Europe/London",
        "cet" | "cest" => "Europe/Paris",
        "eet" | "eest" => "Europe/Athens",
        "ist" => "Asia/Kolkata",
        "jst" => "Asia/Tokyo",
        "aest" | "aedt" => "Australia/Sydney",
        _ => return None,
    })
}

fn day_word(w: &str) -> Option<usize> {
    let w = w.trim_end_matches('s');
    Some(match w {
        "sun" | "sunday" => 0,
        "mon" | "monday" => 1,
        "tue" | "tues" | "tuesday" => 2,
        "wed" | "wednesday" => 3,
        "thu" | "thur" | "thurs" | "thursday" => 4,
        "fri" | "friday" => 5,
        "sat" | "saturday" => 6,
        _ => return None,
    })
}

/// A time of day: "9am", "9:30", "18:00", "12", "noon".
fn clock(w: &str) -> Option<(u32, u32, Option<bool>)> {
    match w {
        "noon" | "midday" => return Some((12, 0, None)),
        "midnight" => return Some((0, 0, None)),
        _ => {}
    }
    let (num, pm) = if let Some(n) = w.strip_suffix("am").or_else(|| w.strip_suffix("a.m.")) {
        (n, Some(false))
    } else if let Some(n) = w.strip_suffix("pm").or_else(|| w.strip_suffix("p.m.")) {
        (n, Some(true))
    } else {
        (w, None)
    };
    let (h, m) = match num.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (num.parse::<u32>().ok()?, 0),
    };
    if m > 59 || h > 23 || (pm.is_some() && !(1..=12).contains(&h)) {
        return None;
    }
    Some((h, m, pm))
}

fn to_24h(h: u32, pm: Option<bool>) -> u32 {
    match pm {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    }
}

/// Why a schedule was refused (the service answers 422 with it).
pub(crate) type ScheduleError = String;

/// Reads `text`; `fallback_tz` applies when the text names no zone.
pub(crate) fn parse(text: &str, fallback_tz: Option<&str>) -> Result<Schedule, ScheduleError> {
    let lowered = text.trim().to_ascii_lowercase().replace([',', ';'], " ");
    if lowered.is_empty() {
        return Err("Schedule is empty".into());
    }
    let original: Vec<&str> = text.split_whitespace().collect();
    let words: Vec<String> = lowered.split_whitespace().map(str::to_owned).collect();
    let mut tz: Option<String> = None;
    let mut time: Option<(u32, u32)> = None;
    let mut days = [false; 7];
    let mut any_day = false;
    let mut every_hours: Option<u32> = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        match w {
            "every" | "each" | "on" | "at" | "and" | "in" | "time" | "the" | "of" | "o'clock" => {}
            "day" | "days" | "daily" => {
                days = [true; 7];
                any_day = true;
            }
            "weekday" | "weekdays" => {
                for d in &mut days[1..6] {
                    *d = true;
                }
                any_day = true;
            }
            "weekend" | "weekends" => {
                days[0] = true;
                days[6] = true;
                any_day = true;
            }
            "week" | "weekly" => {
                days[1] = true;
                any_day = true;
            }
            "hour" | "hourly" => every_hours = Some(1),
            "minute" | "minutes" | "min" | "mins" | "second" | "seconds" => {
                return Err(format!(
                    "Runs would be spaced too closely: a monitor may run at most once every {MIN_HOURS_APART} hour(s)"
                ))
            }
            _ => {
                if let Some(d) = day_word(w) {
                    days[d] = true;
                    any_day = true;
                } else if let Some(z) = zone_word(w) {
                    tz = Some(z.to_owned());
                } else if original.get(i).is_some_and(|o| o.contains('/'))
                    && TimeZone::get(original[i]).is_ok()
                {
                    tz = Some(original[i].to_owned());
                } else if let (Ok(n), Some("hours" | "hour")) = (w.parse::<u32>(), next) {
                    if n == 0 || n > 24 {
                        return Err(format!("Cannot run every {n} hours"));
                    }
                    every_hours = Some(n);
                    i += 1;
                } else if let (Ok(_), Some("minutes" | "minute" | "mins" | "min")) =
                    (w.parse::<u32>(), next)
                {
                    return Err(format!(
                        "Runs would be spaced too closely: a monitor may run at most once every {MIN_HOURS_APART} hour(s)"
                    ));
                } else if let Some((h, m, pm)) = clock(w) {
                    // "9 am" / "6 PM" as two words.
                    let pm = match (pm, next) {
                        (None, Some("am" | "a.m.")) => {
                            i += 1;
                            Some(false)
                        }
                        (None, Some("pm" | "p.m.")) => {
                            i += 1;
                            Some(true)
                        }
                        (p, _) => p,
                    };
                    if pm.is_some() && !(1..=12).contains(&h) {
                        return Err(format!("Could not read the time \"{w}\""));
                    }
                    time = Some((to_24h(h, pm), m));
                } else {
                    return Err(format!(
                        "Could not parse schedule \"{}\": \"{}\" is not understood",
                        text.trim(),
                        original.get(i).copied().unwrap_or(w)
                    ));
                }
            }
        }
        i += 1;
    }
    let tz = match tz {
        Some(t) => t,
        None => match fallback_tz.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) if TimeZone::get(t).is_ok() => t.to_owned(),
            Some(t) => return Err(format!("Unknown timezone \"{t}\"")),
            None => "UTC".to_owned(),
        },
    };
    if let Some(n) = every_hours {
        if n < MIN_HOURS_APART {
            return Err("Runs would be spaced too closely".into());
        }
        let minute = time.map(|t| t.1).unwrap_or(0) as u8;
        if !any_day {
            days = [true; 7];
        }
        return Ok(Schedule {
            minute,
            hours: (0..24).step_by(n as usize).map(|h| h as u8).collect(),
            days,
            tz,
        });
    }
    if !any_day {
        return Err(format!(
            "Could not parse schedule \"{}\": say how often, e.g. \"every day at 9am\"",
            text.trim()
        ));
    }
    let (h, m) = time.unwrap_or((0, 0));
    Ok(Schedule {
        minute: m as u8,
        hours: vec![h as u8],
        days,
        tz,
    })
}

impl Schedule {
    /// 5-field cron: minute hour day-of-month month day-of-week.
    pub fn cron(&self) -> String {
        let hours = if self.hours.len() == 24 {
            "*".to_owned()
        } else {
            join(self.hours.iter().map(|h| h.to_string()))
        };
        format!("{} {} * * {}", self.minute, hours, self.dow())
    }

    fn dow(&self) -> String {
        if self.days.iter().all(|d| *d) {
            "*".into()
        } else if self.days == [false, true, true, true, true, true, false] {
            "1-5".into()
        } else {
            join((0..7).filter(|d| self.days[*d]).map(|d| d.to_string()))
        }
    }

    /// "Every weekday at 09:00 (America/New_York)".
    pub fn human(&self) -> String {
        let days = if self.days.iter().all(|d| *d) {
            "day".to_owned()
        } else if self.days == [false, true, true, true, true, true, false] {
            "weekday".to_owned()
        } else {
            let names: Vec<&str> = (0..7)
                .filter(|d| self.days[*d])
                .map(|d| DAY_NAMES[d])
                .collect();
            names.join(" and ")
        };
        if self.hours.len() > 1 {
            let step = self.hours[1] - self.hours[0];
            let every = if step == 1 {
                "hour".to_owned()
            } else {
                format!("{step} hours")
            };
            let on = if days == "day" {
                String::new()
            } else {
                format!(" on {days}s")
            };
            return format!(
                "Every {every} at minute {:02}{on} ({})",
                self.minute, self.tz
            );
        }
        format!(
            "Every {days} at {:02}:{:02} ({})",
            self.hours[0], self.minute, self.tz
        )
    }

    /// The first tick strictly after `t`.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let tz = TimeZone::get(&self.tz).unwrap_or(TimeZone::UTC);
        let start: Date = t.to_zoned(tz.clone()).date();
        let mut day = start;
        for _ in 0..9 {
            let wd = day.weekday().to_sunday_zero_offset() as usize;
            if self.days[wd] {
                for h in &self.hours {
                    let at = day.at(*h as i8, self.minute as i8, 0, 0);
                    if let Ok(z) = at.to_zoned(tz.clone()) {
                        if z.timestamp() > t {
                            return Some(z.timestamp());
                        }
                    }
                }
            }
            day = day.tomorrow().ok()?;
        }
        None
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(s: &str, tz: Option<&str>) -> String {
        let p = parse(s, tz).unwrap();
        format!("{} {}", p.cron(), p.tz)
    }

    #[test]
    fn the_contracts_phrasings() {
        assert_eq!(cron("every day at 12 PM", Some("UTC")), "0 12 * * * UTC");
        assert_eq!(
            cron("every day at 9am EST", None),
            "0 9 * * * America/New_York"
        );
        assert_eq!(
            cron("every Monday at 6 PM EST", Some("Europe/Paris")),
            "0 18 * * 1 America/New_York"
        );
        assert_eq!(
            cron("every weekday at 9:00", Some("Europe/Berlin")),
            "0 9 * * 1-5 Europe/Berlin"
        );
        assert_eq!(cron("every Monday", None), "0 0 * * 1 UTC");
        assert_eq!(cron("daily", None), "0 0 * * * UTC");
        assert_eq!(
            cron("every Monday and Thursday at 8:30am", None),
            "30 8 * * 1,4 UTC"
        );
        assert_eq!(cron("every 6 hours", None), "0 0,6,12,18 * * * UTC");
        assert_eq!(cron("every hour", None), "0 * * * * UTC");
        assert_eq!(
            cron("every day at noon Asia/Tokyo", None),
            "0 12 * * * Asia/Tokyo"
        );
        assert_eq!(
            parse("every weekday at 9:00", Some("Europe/Berlin"))
                .unwrap()
                .human(),
            "Every weekday at 09:00 (Europe/Berlin)"
        );
    }

    #[test]
    fn unreadable_and_too_frequent_schedules_are_refused() {
        assert!(parse("", None).is_err());
        assert!(parse("whenever you like", None)
            .unwrap_err()
            .contains("whenever"));
        assert!(parse("at 9am", None).unwrap_err().contains("how often"));
        assert!(parse("every 5 minutes", None)
            .unwrap_err()
            .contains("too closely"));
        assert!(parse("every day at 25:00", None).is_err());
        assert!(parse("every day", Some("Mars/Olympus"))
            .unwrap_err()
            .contains("timezone"));
    }

    #[test]
    fn ticks_follow_the_zone_and_skip_weekends() {
        let s = parse("every weekday at 9am", Some("America/New_York")).unwrap();
        // Friday 2026-01-02 15:00 UTC (10:00 in New York) -> Monday 14:00 UTC.
        let fri: Timestamp = "2026-01-02T15:00:00Z".parse().unwrap();
        let next = s.next_after(fri).unwrap();
        assert_eq!(next.to_string(), "2026-01-05T14:00:00Z");
        let after = s.next_after(next).unwrap();
        assert_eq!(after.to_string(), "2026-01-06T14:00:00Z");
    }
}
