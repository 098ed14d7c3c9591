/** One option of an airflow.cfg, with the line it is on (for findings that point into the ConfigMap). */
export interface CfgOption {
  section: string;
  option: string;
  value: string;
  line: number;
}

/**
 * Reads airflow.cfg the way Python's configparser does for the chart's rendering: `[section]` headers,
 * `key = value` or `key: value`, `#`/`;` comment lines, indented lines continuing the previous value.
 * Sections and options are lower-cased, as Airflow looks them up.
 */
export function parseAirflowCfg(text: string): CfgOption[] {
  const out: CfgOption[] = [];
  let section: string | undefined;
  let last: CfgOption | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s+$/, '');
    if (!line.trim() || /^\s*[#;]/.test(line)) return;
    if (/^\s/.test(line) && last) {
      last.value = `${last.value}\n${line.trim()}`;
      return;
    }
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      last = undefined;
      return;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!pair || !section) return;
    last = { section, option: pair[1]!.trim().toLowerCase(), value: pair[2]!, line: index + 1 };
    out.push(last);
  });
  return out;
}
