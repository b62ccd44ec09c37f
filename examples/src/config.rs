//! Settings from command-line flags (`--addr 127.0.0.1:8080`,
//! `--addr=127.0.0.1:8080`), else from the environment (`ADDR`), else a
//! default.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// The address every server listens on unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// The heart-rate sample's interval between events.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);

/// One setting: its flag (without `--`), its environment variable, its
/// default and what it means (for `--help`).
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The flag, without the leading `--`.
    pub flag: &'static str,
    /// The environment variable read when the flag is absent.
    pub env: &'static str,
    /// The value when neither is given.
    pub default: &'static str,
    /// One line for `--help`.
    pub help: &'static str,
}

/// `--addr` / `ADDR`: where to listen.
pub const ADDR: Setting = Setting {
    flag: "addr",
    env: "ADDR",
    default: DEFAULT_ADDR,
    help: "address to listen on (port 0 picks a free port)",
};

/// `--interval-ms` / `INTERVAL_MS`: milliseconds between events.
pub const INTERVAL_MS: Setting = Setting {
    flag: "interval-ms",
    env: "INTERVAL_MS",
    default: "2000",
    help: "milliseconds between events",
};

/// Why the settings could not be read.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The values of a set of [`Setting`]s.
#[derive(Debug)]
pub struct Settings {
    values: HashMap<&'static str, (String, &'static Setting)>,
}

impl Settings {
    /// Reads `settings` from this process's arguments and environment.
    ///
    /// # Errors
    ///
    /// An unknown flag, a flag without a value, or `--help` (the error's
    /// text is then the usage, to print before exiting).
    pub fn from_process(program: &str, settings: &'static [Setting]) -> Result<Self, ConfigError> {
        Self::parse(program, settings, std::env::args().skip(1), |name| {
            std::env::var(name).ok()
        })
    }

    /// Reads `settings` from `args` (without the program name) and `env`.
    ///
    /// # Errors
    ///
    /// As [`Settings::from_process`].
    pub fn parse(
        program: &str,
        settings: &'static [Setting],
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut given: HashMap<&'static str, String> = HashMap::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Err(ConfigError(usage(program, settings)));
            }
            let Some(flag) = arg.strip_prefix("--") else {
                return Err(ConfigError(format!(
                    "unexpected argument `{arg}`\n\n{}",
                    usage(program, settings)
                )));
            };
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (flag, None),
            };
            let Some(setting) = settings.iter().find(|s| s.flag == name) else {
                return Err(ConfigError(format!(
                    "unknown flag `--{name}`\n\n{}",
                    usage(program, settings)
                )));
            };
            let value = match inline.or_else(|| args.next()) {
                Some(value) => value,
                None => return Err(ConfigError(format!("`--{name}` needs a value"))),
            };
            given.insert(setting.flag, value);
        }
        let values = settings
            .iter()
            .map(|setting| {
                let value = given
                    .remove(setting.flag)
                    .or_else(|| env(setting.env).filter(|v| !v.is_empty()))
                    .unwrap_or_else(|| setting.default.to_owned());
                (setting.flag, (value, setting))
            })
            .collect();
        Ok(Self { values })
    }

    /// The value of `setting`, parsed.
    ///
    /// # Errors
    ///
    /// The value does not parse as a `T`, or `setting` was not among those
    /// read.
    pub fn get<T: std::str::FromStr>(&self, setting: &Setting) -> Result<T, ConfigError>
    where
        T::Err: fmt::Display,
    {
        let (value, setting) = self
            .values
            .get(setting.flag)
            .ok_or_else(|| ConfigError(format!("`--{}` was not read", setting.flag)))?;
        value.parse().map_err(|err| {
            ConfigError(format!(
                "bad value `{value}` for `--{}` (or `{}`): {err}",
                setting.flag, setting.env
            ))
        })
    }

    /// [`ADDR`], parsed.
    ///
    /// # Errors
    ///
    /// It is not an `ip:port`.
    pub fn addr(&self) -> Result<SocketAddr, ConfigError> {
        self.get(&ADDR)
    }

    /// [`INTERVAL_MS`], parsed.
    ///
    /// # Errors
    ///
    /// It is not a whole number of milliseconds, or it is zero.
    pub fn interval(&self) -> Result<Duration, ConfigError> {
        self.millis(&INTERVAL_MS)
    }

    /// `setting` as a non-zero number of milliseconds.
    ///
    /// # Errors
    ///
    /// It is not a whole number of milliseconds, or it is zero.
    pub fn millis(&self, setting: &Setting) -> Result<Duration, ConfigError> {
        match self.get::<u64>(setting)? {
            0 => Err(ConfigError(format!("`--{}` must not be 0", setting.flag))),
            ms => Ok(Duration::from_millis(ms)),
        }
    }
}

/// The `--help` text.
fn usage(program: &str, settings: &[Setting]) -> String {
    let mut text =
        format!("usage: {program} [OPTIONS]\n\noptions (flag, else environment variable):\n");
    for s in settings {
        text.push_str(&format!(
            "  --{:<18} {:<12} {} (default {})\n",
            format!("{} <v>", s.flag),
            s.env,
            s.help,
            s.default
        ));
    }
    text
}

/// Reads `settings` from the process, or prints why not and exits: with
/// status 0 for `--help`, 2 otherwise.
#[must_use]
pub fn settings_or_exit(program: &str, settings: &'static [Setting]) -> Settings {
    match Settings::from_process(program, settings) {
        Ok(settings) => settings,
        Err(err) => exit_with(&err, std::env::args().any(|a| a == "--help" || a == "-h")),
    }
}

/// Prints `err` and exits, with status 0 if `help` was asked for, else 2.
pub fn exit_with(err: &ConfigError, help: bool) -> ! {
    if help {
        println!("{err}");
        std::process::exit(0);
    }
    eprintln!("error: {err}");
    std::process::exit(2);
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: &[Setting] = &[ADDR, INTERVAL_MS];

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::parse("test", BOTH, args.iter().map(|a| (*a).to_owned()), |name| {
            env.get(name).cloned()
        })
    }

    #[test]
    fn defaults_apply_without_flags_or_environment() {
        let settings = parse(&[], &[]).unwrap();
        assert_eq!(settings.addr().unwrap(), DEFAULT_ADDR.parse().unwrap());
        assert_eq!(settings.interval().unwrap(), DEFAULT_INTERVAL);
    }

    #[test]
    fn a_flag_wins_over_the_environment() {
        let env = [("ADDR", "127.0.0.1:9"), ("INTERVAL_MS", "50")];
        let settings = parse(&["--addr", "127.0.0.1:0", "--interval-ms=100"], &env).unwrap();
        assert_eq!(settings.addr().unwrap(), "127.0.0.1:0".parse().unwrap());
        assert_eq!(settings.interval().unwrap(), Duration::from_millis(100));
        let settings = parse(&[], &env).unwrap();
        assert_eq!(settings.addr().unwrap(), "127.0.0.1:9".parse().unwrap());
        assert_eq!(settings.interval().unwrap(), Duration::from_millis(50));
    }

    #[test]
    fn bad_input_is_an_error_that_says_what() {
        let err = |args: &[&str]| parse(args, &[]).unwrap_err().to_string();
        assert!(err(&["--port", "1"]).starts_with("unknown flag `--port`"));
        assert!(err(&["--addr"]).contains("needs a value"));
        assert!(err(&["serve"]).starts_with("unexpected argument"));
        assert!(err(&["--help"]).contains("INTERVAL_MS"));
        let settings = parse(&["--addr", "localhost", "--interval-ms", "0"], &[]).unwrap();
        assert!(
            settings
                .addr()
                .unwrap_err()
                .to_string()
                .contains("`localhost`")
        );
        assert!(
            settings
                .interval()
                .unwrap_err()
                .to_string()
                .contains("must not be 0")
        );
    }
}
