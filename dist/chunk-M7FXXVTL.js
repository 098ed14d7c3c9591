#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  commitTag,
  dirtyError,
  formatBytes,
  imageConfig,
  readRelease,
  releaseLabels,
  shortList,
  targetRepository
} from "./chunk-6QQE5BCR.js";
import {
  baseDigest,
  ensureBase
} from "./chunk-SBJPSN73.js";
import {
  readAirflowVersion
} from "./chunk-MPU4A5NT.js";
import {
  refuseEmptyDagFolder,
  tempError,
  withTempDir
} from "./chunk-VYGZMEHB.js";
import {
  EngineStreamError
} from "./chunk-M5D5RXX2.js";
import {
  require_tar_stream
} from "./chunk-FFWHJTTK.js";
import {
  tail
} from "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  __commonJS,
  __toESM
} from "./chunk-EDJIWXRY.js";

// node_modules/ignore/index.js
var require_ignore = __commonJS({
  "node_modules/ignore/index.js"(exports, module) {
    function makeArray(subject) {
      return Array.isArray(subject) ? subject : [subject];
    }
    var UNDEFINED = void 0;
    var EMPTY = "";
    var SPACE = " ";
    var ESCAPE = "\\";
    var REGEX_LITERAL_SPECIAL = /[.*+?()[\]{}^$|\\/]/;
    var BOM = "\uFEFF";
    var REGEX_ANCHORED_GLOBSTAR = /^\/\*{2,}$/;
    var REGEX_REPLACE_LEADING_EXCAPED_EXCLAMATION = /^\\!/;
    var REGEX_REPLACE_LEADING_EXCAPED_HASH = /^\\#/;
    var REGEX_SPLITALL_CRLF = /\r?\n/g;
    var DOUBLE_SLASH = "//";
    var SLASH_CODE = 47;
    var DOT_CODE = 46;
    var SLASH = "/";
    var TMP_KEY_IGNORE = "node-ignore";
    if (typeof Symbol !== "undefined") {
      TMP_KEY_IGNORE = /* @__PURE__ */ Symbol.for("node-ignore");
    }
    var KEY_IGNORE = TMP_KEY_IGNORE;
    var define = (object, key, value) => {
      Object.defineProperty(object, key, { value });
      return value;
    };
    var RETURN_FALSE = () => false;
    var POSIX_CLASSES = {
      alnum: "0-9A-Za-z",
      alpha: "A-Za-z",
      blank: " \\t",
      cntrl: "\\x00-\\x1f\\x7f",
      digit: "0-9",
      graph: "!-.0-~",
      lower: "a-z",
      print: " -.0-~",
      punct: "!-.:-@\\[-`{-~",
      // git's `sane-ctype.h` classifies \v and \f as control, not space,
      //   unlike C's `isspace`
      space: " \\t\\n\\r",
      upper: "A-Z",
      xdigit: "0-9A-Fa-f"
    };
    var CLASS_MEMBERS_TO_ESCAPE = "\\]^-[";
    var escapeMember = (char) => CLASS_MEMBERS_TO_ESCAPE.indexOf(char) < 0 ? char : ESCAPE + char;
    var NON_SLASH = "(?!\\/)";
    var classSource = (negated, body) => {
      if (negated) {
        return `[^\\/${body}]`;
      }
      const source = `[${body}]`;
      return new RegExp(source).test("/") ? NON_SLASH + source : source;
    };
    var scanBracket = (pattern, start) => {
      const { length } = pattern;
      let index = start + 1;
      let negated = EMPTY;
      const lead = pattern[index];
      if (lead === "!" || lead === "^") {
        negated = "^";
        index++;
      }
      let body = EMPTY;
      let prev = EMPTY;
      for (; ; ) {
        const char = pattern[index];
        if (char === UNDEFINED) {
          return null;
        }
        if (char === ESCAPE) {
          const escaped = pattern[++index];
          body += escapeMember(escaped);
          prev = escaped;
        } else if (char === "-" && prev && index + 1 < length && pattern[index + 1] !== "]") {
          index++;
          let to = pattern[index];
          if (to === ESCAPE) {
            to = pattern[index += 1];
          }
          if (prev <= to) {
            body += `-${escapeMember(to)}`;
          }
          prev = EMPTY;
        } else if (char === "[" && pattern[index + 1] === ":") {
          const nameStart = index + 2;
          let end = nameStart;
          while (end < length && pattern[end] !== "]") {
            end++;
          }
          if (end === length) {
            return null;
          }
          if (end > nameStart && pattern[end - 1] === ":") {
            const name = pattern.slice(nameStart, end - 1);
            if (!Object.prototype.hasOwnProperty.call(POSIX_CLASSES, name)) {
              return null;
            }
            body += POSIX_CLASSES[name];
            prev = EMPTY;
            index = end;
          } else {
            body += escapeMember("[");
            prev = "[";
            index = nameStart - 2;
          }
        } else {
          body += escapeMember(char);
          prev = char;
        }
        index++;
        if (pattern[index] === "]") {
          return {
            end: index,
            source: classSource(negated, body)
          };
        }
      }
    };
    var NEVER_MATCH = "[]";
    var PLACEHOLDER = "\0";
    var REGEX_RESTORE_PLACEHOLDER = new RegExp(
      `${PLACEHOLDER}(\\d+)${PLACEHOLDER}`,
      "g"
    );
    var TRAILING_WILDCARD = "\uE000";
    var TRAILING_DOUBLESTAR = "\uE001";
    var isReserved = (char) => char === PLACEHOLDER || char === TRAILING_WILDCARD || char === TRAILING_DOUBLESTAR;
    var extractBrackets = (pattern) => {
      const sources = [];
      const hold = (source) => `${PLACEHOLDER}${sources.push(source) - 1}${PLACEHOLDER}`;
      const { length } = pattern;
      let out = EMPTY;
      let index = 0;
      while (index < length) {
        const char = pattern[index];
        if (char === ESCAPE) {
          const escaped = pattern[index + 1];
          if (escaped === SLASH && index + 2 === length) {
            out += hold(NEVER_MATCH);
          } else if (escaped === "*" || escaped === "[" || escaped === SPACE) {
            out += pattern.slice(index, index + 2);
          } else {
            out += hold(
              REGEX_LITERAL_SPECIAL.test(escaped) ? ESCAPE + escaped : isReserved(escaped) ? `[${escaped}]` : escaped
            );
          }
          index += 2;
        } else if (isReserved(char)) {
          out += hold(`[${char}]`);
          index++;
        } else if (char === "[") {
          const scanned = scanBracket(pattern, index);
          if (scanned === null) {
            out += hold(NEVER_MATCH);
            index = length;
          } else {
            out += hold(scanned.source);
            index = scanned.end + 1;
          }
        } else {
          out += char;
          index++;
        }
      }
      return {
        source: out,
        sources
      };
    };
    var DIRECT = null;
    var REGEX_INNER_SLASH = /\/(?!$)/;
    var WILDCARD = "[^\\/]*";
    var REPLACERS = [
      // Replace (\ ) with ' '
      // Only a space: an escaped tab or other whitespace is already a literal by
      //   the time it reaches here, and a bare tab must be left as one, not turned
      //   into a space.
      // (\ ) -> ' '
      // (\\ ) -> '\\ '
      // (\\\ ) -> '\\ '
      [
        // A run of backslashes is taken whole, from its first one, so no match
        //   ever starts again inside it -- `(\\+?) ` did, which made a long run
        //   quadratic.
        /(\\+)( ?)/g,
        (_, run, space) => space ? run.slice(0, run.length - run.length % 2) + SPACE : run,
        ESCAPE + SPACE
      ],
      // git's wildmatch() reads a run of two or more asterisks as one globstar
      //   whenever the run fills a path segment: it starts the pattern or follows
      //   a `/`, and it ends the pattern or comes before a `/`. A run of two is
      //   already `**`; a longer one is folded into `**` here, so the steps
      //   below only ever have to know `**`.
      // `***/foo` -> `**/foo`, `a/***/b` -> `a/**/b`, `a/***` -> `a/**`
      // git also takes a run beside a literal prefix (`a***/b`) or beside an
      //   escaped slash (`***\/b`) as a globstar, and this does not; the README
      //   lists both, under "A run of asterisks".
      [
        /(^|\/)\*{3,}(?=\/|$)/g,
        (_, start) => `${start}**`,
        "*"
      ],
      // Escape metacharacters
      // which is written down by users but means special for regular expressions.
      // > There are 12 characters with special meanings:
      // > - the backslash \,
      // > - the caret ^,
      // > - the dollar sign $,
      // > - the period or dot .,
      // > - the vertical bar or pipe symbol |,
      // > - the question mark ?,
      // > - the asterisk or star *,
      // > - the plus sign +,
      // > - the opening parenthesis (,
      // > - the closing parenthesis ),
      // > - and the opening square bracket [,
      // > - the opening curly brace {,
      // > These special characters are often called "metacharacters".
      [
        /[\\$.|*+(){^]/g,
        (match) => `\\${match}`
      ],
      [
        // > a question mark (?) matches a single character
        /(?!\\)\?/g,
        () => "[^/]",
        "?"
      ],
      // leading slash
      [
        // > A leading slash matches the beginning of the pathname.
        // > For example, "/*.c" matches "cat-file.c" but not "mozilla-sha1/sha1.c".
        // A leading slash matches the beginning of the pathname
        /^\//,
        () => "^",
        SLASH
      ],
      // replace special metacharacter slash after the leading slash
      [
        /\//g,
        () => "\\/",
        SLASH
      ],
      [
        // > A leading "**" followed by a slash means match in all directories.
        // > For example, "**/foo" matches file or directory "foo" anywhere,
        // > the same as pattern "foo".
        // > "**/foo/bar" matches file or directory "bar" anywhere that is directly
        // >   under directory "foo".
        // Notice that the '*'s have been replaced as '\\*'
        /^\^*(?:\\\*\\\*\\\/)+/,
        // '**/foo' <-> 'foo'
        () => "(?:^|\\/)",
        "*"
      ],
      // starting
      [
        // there will be no leading '/'
        //   (which has been replaced by section "leading slash")
        // If starts with '**', adding a '^' to the regular expression also works
        DIRECT,
        (source, pattern) => {
          if (!source || source[0] === "^" || source[0] === "(") {
            return source;
          }
          const anchor = !REGEX_INNER_SLASH.test(pattern) ? "(?:^|\\/)" : "^";
          return anchor + source;
        }
      ],
      // two globstars
      [
        // Use lookahead assertions so that we could match more than one `'/**'`
        /\\\/\\\*\\\*(?=\\\/|$)/g,
        // Zero, one or several directories
        // should not use '*', or it will be replaced by the next replacer
        // Check if it is not the last `'/**'`
        (_, index, str) => index + 6 < str.length ? str.slice(index + 6) === "\\/" ? "(?:\\/[^\\/]+)+" : "(?:\\/[^\\/]+)*" : `\\/${TRAILING_DOUBLESTAR}`,
        "*"
      ],
      // normal intermediate wildcards
      [
        // Never replace escaped '*'
        // ignore rule '\*' will match the path '*'
        // 'abc.*/' -> go
        // 'abc.*'  -> skip this rule,
        //    coz trailing single wildcard will be handed by [trailing wildcard]
        /(^|[^\\])(?:\\\*)+(?!$)/g,
        // '*.js' matches '.js'
        // '*.js' doesn't match 'abc'
        // 1. An asterisk "*" matches anything except a slash.
        // 2. Other consecutive asterisks are considered regular asterisks
        //    and collapse into one non-slash wildcard run.
        (_, p1) => p1 + WILDCARD,
        "*"
      ],
      // trailing wildcard, held apart from a literal star
      [
        // The step above leaves a trailing `*` alone, so a single `\*` is all that
        //   can be left at the end here, and what stands in front of it says which
        //   kind it is. A wildcard arrives as the escaper wrote it, `\*` with
        //   nothing before it; a literal arrives as the user's own escape, which
        //   the escaper doubled, and then the star's own -- `\\` and then `\*`.
        //   There is no third case: every backslash still reaching the chain is
        //   one `\*`, `\[` or `\ ` carries itself, and each is followed by its
        //   own character, so a longer run can never form. This runs while the
        //   two are still distinct, before the unescape steps below collapse the
        //   literal onto the very `\*` a wildcard leaves behind.
        /(^|[^\\])((?:\\\\)*)\\\*$/,
        (match, p1, p2) => p2 === EMPTY ? p1 + TRAILING_WILDCARD : match,
        "*"
      ],
      [
        // unescape, revert step 3 except for back slash
        // For example, if a user escape a '\\*',
        // after step 3, the result will be '\\\\\\*'
        /\\\\\\(?=[$.|*+(){^])/g,
        () => ESCAPE,
        ESCAPE + ESCAPE
      ],
      [
        // '\\\\' -> '\\'
        /\\\\/g,
        () => ESCAPE,
        ESCAPE + ESCAPE
      ],
      [
        // Every real bracket expression -- POSIX classes included -- has already
        //   been held aside by `extractBrackets`, so the only `[` left in the
        //   pattern is an escaped, literal one.
        // A backslash could only stand at the end of the range if it quoted the
        //   `]`, and `\]` is held aside long before this.
        /\\\[([^\]/]*?)($|\])/g,
        // '\\[bar]' -> '\\\\[bar]'
        (match, range, close) => `\\[${range}${close}`,
        "["
      ],
      // ending
      [
        // 'js' will not match 'js.'
        // 'ab' will not match 'abc'
        DIRECT,
        // WTF!
        // https://git-scm.com/docs/gitignore
        // changes in [2.22.1](https://git-scm.com/docs/gitignore/2.22.1)
        // which re-fixes #24, #38
        // > If there is a separator at the end of the pattern then the pattern
        // > will only match directories, otherwise the pattern can match both
        // > files and directories.
        // 'js*' will not match 'a.js'
        // 'js/' will not match 'a.js'
        // 'js' will match 'a.js' and 'a.js/'
        (source) => {
          const last = source[source.length - 1];
          if (!last || last === TRAILING_WILDCARD || last === TRAILING_DOUBLESTAR) {
            return source;
          }
          return last === SLASH ? `${source}$` : `${source}(?=$|\\/$)`;
        }
      ]
    ];
    var REGEX_REPLACE_TRAILING_WILDCARD = /(^|\\\/)?\uE000$/;
    var MODE_IGNORE = "regex";
    var MODE_CHECK_IGNORE = "checkRegex";
    var UNDERSCORE = "_";
    var replaceTrailingWildcard = (_, p1) => {
      const prefix = p1 ? `${p1}[^/]+` : "[^/]*";
      return `${prefix}(?=$|\\/$)`;
    };
    var REGEX_REPLACE_TRAILING_DOUBLESTAR = /\uE001$/;
    var replaceTrailingDoublestar = () => "[\\s\\S]";
    var separatorAfter = (run, at) => {
      let separator = EMPTY;
      for (let index = at + 1; index < run.length && !run[index].wildcard; index++) {
        separator += run[index].single;
      }
      return separator;
    };
    var pinWildcards = (source) => {
      if (source.indexOf(WILDCARD) < 0) {
        return source;
      }
      const tokens = [];
      const { length } = source;
      let index = 0;
      while (index < length) {
        const char = source[index];
        if (source.startsWith(WILDCARD, index)) {
          tokens.push({ wildcard: true });
          index += WILDCARD.length;
        } else if (char === "[") {
          let end = index + 1;
          if (source[end] === "^") {
            end++;
          }
          if (source[end] === "]") {
            end++;
          }
          while (end < length && source[end] !== "]") {
            end += source[end] === ESCAPE ? 2 : 1;
          }
          end++;
          tokens.push({ single: source.slice(index, end) });
          index = end;
        } else if (char === ESCAPE) {
          tokens.push({ single: source.slice(index, index + 2) });
          index += 2;
        } else if (char === "(") {
          let depth = 0;
          let end = index;
          do {
            if (source[end] === ESCAPE) {
              end++;
            } else if (source[end] === "(") {
              depth++;
            } else if (source[end] === ")") {
              depth--;
            }
            end++;
          } while (end < length && depth > 0);
          if ("*+?".indexOf(source[end]) >= 0) {
            end++;
          }
          tokens.push({ boundary: source.slice(index, end) });
          index = end;
        } else if (char === "^" || char === "$") {
          tokens.push({ boundary: char });
          index++;
        } else {
          tokens.push({ single: char });
          index++;
        }
      }
      let out = EMPTY;
      let run = [];
      const flush = () => {
        let lastWildcard;
        run.forEach((token, at) => {
          if (token.wildcard) {
            lastWildcard = at;
          }
        });
        run.forEach((token, at) => {
          if (!token.wildcard) {
            out += token.single;
            return;
          }
          out += at === lastWildcard ? WILDCARD : `(?:(?!${separatorAfter(run, at)})[^\\/])*`;
        });
        run = [];
      };
      tokens.forEach((token) => {
        if (token.boundary === void 0) {
          run.push(token);
          return;
        }
        flush();
        out += token.boundary;
      });
      flush();
      return out;
    };
    var makeRegexPrefix = (pattern) => {
      if (REGEX_ANCHORED_GLOBSTAR.test(pattern)) {
        pattern = "**";
      }
      const { source, sources } = extractBrackets(pattern);
      const replaced = REPLACERS.reduce(
        // A pass whose matcher finds nothing hands back the very string it was
        //   given, so asking first costs a search and saves a rewrite. Ten of the
        //   fifteen passes never fire for a typical .gitignore line, and between
        //   them they were 45% of this chain.
        (prev, [matcher, replacer, required]) => {
          if (matcher === DIRECT) {
            return replacer(prev, pattern);
          }
          if (required !== UNDEFINED && prev.indexOf(required) < 0) {
            return prev;
          }
          return matcher.test(prev) ? prev.replace(matcher, replacer.bind(pattern)) : prev;
        },
        source
      );
      return sources.length ? replaced.replace(
        REGEX_RESTORE_PLACEHOLDER,
        (match, index) => sources[index]
      ) : replaced;
    };
    var checkSourceOf = (body, prefix) => {
      if (body[body.length - 1] === SLASH) {
        prefix = makeRegexPrefix(body.slice(0, -1));
      }
      const head = prefix.slice(0, -1);
      const last = prefix[prefix.length - 1];
      return last === TRAILING_WILDCARD ? `${head}$` : last === TRAILING_DOUBLESTAR ? head : NEVER_MATCH;
    };
    var matchesBasename = (body) => {
      const index = body.indexOf(SLASH);
      return index < 0 || index === body.length - 1;
    };
    var basenameOf = (path7) => {
      const end = path7.length - 1;
      const index = path7.lastIndexOf(
        SLASH,
        path7[end] === SLASH ? end - 1 : end
      );
      return index < 0 ? path7 : path7.slice(index + 1);
    };
    var parentOf = (path7) => {
      if (path7.charCodeAt(0) === SLASH_CODE || path7.indexOf(DOUBLE_SLASH) >= 0) {
        const slices = path7.split(SLASH).filter(Boolean);
        slices.pop();
        return slices.length ? slices.join(SLASH) + SLASH : EMPTY;
      }
      const end = path7.length - 1;
      const cut = path7.lastIndexOf(
        SLASH,
        path7.charCodeAt(end) === SLASH_CODE ? end - 1 : end
      );
      return cut < 0 ? EMPTY : path7.slice(0, cut + 1);
    };
    var isString = (subject) => typeof subject === "string";
    var checkPattern = (pattern) => pattern && isString(pattern);
    var splitPattern = (pattern) => (pattern[pattern.length - 1] === "\r" ? pattern.slice(0, -1) : pattern).split(REGEX_SPLITALL_CRLF).filter(Boolean);
    var IgnoreRule = class {
      constructor(pattern, mark, body, ignoreCase, negative, prefix) {
        this.pattern = pattern;
        this.mark = mark;
        this.negative = negative;
        define(this, "body", body);
        define(this, "ignoreCase", ignoreCase);
        define(this, "regexPrefix", prefix);
      }
      // Worked out on first use and kept behind an own property, the way `regex`
      //   caches itself in `_regex`. Deciding it in the constructor instead would
      //   add a fourth `defineProperty` to every rule ever built, which cost 4% of
      //   every compile -- including the compiles of rules that are never matched
      //   against anything.
      get _basenameOnly() {
        return define(this, "_basenameOnly", matchesBasename(this.body));
      }
      get regex() {
        const key = UNDERSCORE + MODE_IGNORE;
        if (this[key]) {
          return this[key];
        }
        return this._make(MODE_IGNORE, key);
      }
      get checkRegex() {
        const key = UNDERSCORE + MODE_CHECK_IGNORE;
        if (this[key]) {
          return this[key];
        }
        return this._make(MODE_CHECK_IGNORE, key);
      }
      _make(mode, key) {
        const str = pinWildcards(
          mode === MODE_IGNORE ? this.regexPrefix.replace(REGEX_REPLACE_TRAILING_WILDCARD, replaceTrailingWildcard).replace(REGEX_REPLACE_TRAILING_DOUBLESTAR, replaceTrailingDoublestar) : checkSourceOf(this.body, this.regexPrefix)
        );
        const regex = this.ignoreCase ? new RegExp(str, "i") : new RegExp(str);
        return define(this, key, regex);
      }
    };
    var hasTrailingBackslash = (str) => {
      let count = 0;
      while (str[str.length - count - 1] === ESCAPE) {
        count++;
      }
      return count % 2 === 1;
    };
    var trimEnd = (body, stripLineEnd) => {
      let lineEnd = body.length;
      let end;
      for (; ; ) {
        if (stripLineEnd && body[lineEnd - 1] === "\r") {
          lineEnd--;
        }
        end = lineEnd;
        while (body[end - 1] === SPACE) {
          end--;
        }
        if (!stripLineEnd || body[end - 1] !== "\n") {
          break;
        }
        lineEnd = end - 1;
      }
      if (end === lineEnd) {
        return body.slice(0, lineEnd);
      }
      let backslashes = 0;
      while (body[end - backslashes - 1] === ESCAPE) {
        backslashes++;
      }
      return backslashes % 2 ? body.slice(0, end - 1) + SPACE : body.slice(0, end);
    };
    var createRule = (pattern, mark, ignoreCase, stripLineEnd, stripBOM) => {
      let body = stripBOM && pattern[0] === BOM ? pattern.slice(1) : pattern;
      if (body[0] === "#") {
        return;
      }
      let negative = false;
      if (body[0] === "!") {
        negative = true;
        body = body.slice(1);
      }
      const last = body[body.length - 1];
      if (last === SPACE || stripLineEnd && (last === "\r" || last === "\n")) {
        body = trimEnd(body, stripLineEnd);
      }
      if (!body || hasTrailingBackslash(body)) {
        return;
      }
      body = body.replace(REGEX_REPLACE_LEADING_EXCAPED_EXCLAMATION, "!").replace(REGEX_REPLACE_LEADING_EXCAPED_HASH, "#");
      const regexPrefix = makeRegexPrefix(body);
      return new IgnoreRule(
        pattern,
        mark,
        body,
        ignoreCase,
        negative,
        regexPrefix
      );
    };
    var RuleManager = class {
      constructor(ignoreCase) {
        this._ignoreCase = ignoreCase;
        this._rules = [];
        this._basenameCount = 0;
      }
      _add(pattern, index) {
        if (pattern && pattern[KEY_IGNORE]) {
          this._rules = this._rules.concat(pattern._rules._rules);
          this._basenameCount += pattern._rules._basenameCount;
          this._added = true;
          return;
        }
        const isStr = isString(pattern);
        const raw = isStr ? pattern : pattern.pattern;
        const rule = checkPattern(raw) && createRule(
          raw,
          isStr ? UNDEFINED : pattern.mark,
          this._ignoreCase,
          !this._split,
          this._stripBOM && !index
        );
        if (rule) {
          this._added = true;
          this._rules.push(rule);
          if (matchesBasename(rule.body)) {
            this._basenameCount++;
          }
        }
      }
      // @param {Array<string> | string | Ignore} pattern
      add(pattern) {
        this._added = false;
        this._split = isString(pattern);
        this._stripBOM = !this._split || pattern[0] === BOM;
        makeArray(
          this._split ? splitPattern(pattern) : pattern
        ).forEach(this._add, this);
        if (this._added) {
          this._literalRules = UNDEFINED;
        }
        return this._added;
      }
      // Match the literal 'abc/' for `checkIgnore`, last rule wins. Only a rule
      //   ending in a wildcard can match it (see `checkSourceOf`), so the rest
      //   are left out once, rather than tested or compiled for every path.
      testLiteral(path7) {
        const rules = this._literalRules || (this._literalRules = this._rules.filter(
          ({ body }) => body[body.length - (body[body.length - 1] === SLASH ? 2 : 1)] === "*"
        ));
        let ignored = false;
        let unignored = false;
        let matchedRule;
        for (let index = rules.length - 1; index >= 0; index--) {
          const rule = rules[index];
          if (rule.checkRegex.test(path7)) {
            ignored = !rule.negative;
            unignored = rule.negative;
            matchedRule = rule.negative ? UNDEFINED : rule;
            break;
          }
        }
        const ret = {
          ignored,
          unignored
        };
        if (matchedRule) {
          ret.rule = matchedRule;
        }
        return ret;
      }
      // Test one single path without recursively checking parent directories
      //
      // - mode `string` either `MODE_IGNORE` or `MODE_CHECK_IGNORE`
      // @returns {TestResult}
      test(path7, mode) {
        const rules = this._rules;
        const { length } = rules;
        const shortcut = this._basenameCount * 2 >= length;
        const basename = shortcut ? basenameOf(path7) : path7;
        for (let index = length - 1; index >= 0; index--) {
          const rule = rules[index];
          if (rule[mode].test(
            shortcut && rule._basenameOnly ? basename : path7
          )) {
            const { negative } = rule;
            const ret = {
              ignored: !negative,
              unignored: negative
            };
            if (!negative) {
              ret.rule = rule;
            }
            return ret;
          }
        }
        return {
          ignored: false,
          unignored: false
        };
      }
    };
    var throwError = (message, Ctor) => {
      throw new Ctor(message);
    };
    var checkPath = (path7, originalPath, doThrow) => {
      if (!isString(path7)) {
        return doThrow(
          `path must be a string, but got \`${originalPath}\``,
          TypeError
        );
      }
      if (!path7) {
        return doThrow(`path must not be empty`, TypeError);
      }
      if (checkPath.isNotRelative(path7)) {
        const r = "`path.relative()`d";
        return doThrow(
          `path should be a ${r} string, but got "${originalPath}"`,
          RangeError
        );
      }
      return true;
    };
    var isNotRelative = (path7) => {
      const first = path7.charCodeAt(0);
      if (first === SLASH_CODE) {
        return true;
      }
      if (first !== DOT_CODE) {
        return false;
      }
      if (path7.length === 1) {
        return true;
      }
      const second = path7.charCodeAt(1);
      if (second === SLASH_CODE) {
        return true;
      }
      if (second !== DOT_CODE) {
        return false;
      }
      return path7.length === 2 || path7.charCodeAt(2) === SLASH_CODE;
    };
    checkPath.isNotRelative = isNotRelative;
    checkPath.convert = (p) => p;
    var convertPath = (target) => isString(target) && checkPath.convert(target);
    var Ignore = class {
      constructor({
        ignorecase = true,
        ignoreCase = ignorecase,
        allowRelativePaths = false
      } = {}) {
        define(this, KEY_IGNORE, true);
        this._rules = new RuleManager(ignoreCase);
        this._strictPathCheck = !allowRelativePaths;
        this._initCache();
      }
      _initCache() {
        this._ignoreCache = /* @__PURE__ */ Object.create(null);
        this._testCache = /* @__PURE__ */ Object.create(null);
      }
      add(pattern) {
        if (this._rules.add(pattern)) {
          this._initCache();
        }
        return this;
      }
      // legacy
      addPattern(pattern) {
        return this.add(pattern);
      }
      // @returns {TestResult}
      _test(originalPath, cache, path7) {
        checkPath(
          path7,
          originalPath,
          this._strictPathCheck ? throwError : RETURN_FALSE
        );
        return path7 ? this._t(path7, cache) : {
          ignored: false,
          unignored: false
        };
      }
      checkIgnore(target) {
        const path7 = convertPath(target);
        if (!path7 || path7.charCodeAt(path7.length - 1) !== SLASH_CODE) {
          return this._test(target, this._testCache, path7);
        }
        const dir = this._t(path7, this._testCache);
        if (dir.ignored) {
          return dir;
        }
        const literal = this._rules.testLiteral(path7);
        return literal.ignored || literal.unignored ? literal : dir;
      }
      _t(path7, cache) {
        if (path7 in cache) {
          return cache[path7];
        }
        const parentPath = parentOf(path7);
        const parent = parentPath ? this._t(parentPath, cache) : UNDEFINED;
        return cache[path7] = parent && parent.ignored ? parent : this._rules.test(path7, MODE_IGNORE);
      }
      ignores(path7) {
        return this._test(path7, this._ignoreCache, convertPath(path7)).ignored;
      }
      createFilter() {
        return (path7) => !this.ignores(path7);
      }
      filter(paths) {
        return makeArray(paths).filter(this.createFilter());
      }
      // @returns {TestResult}
      test(path7) {
        return this._test(path7, this._testCache, convertPath(path7));
      }
    };
    var factory = (options) => new Ignore(options);
    var isPathValid = (path7) => checkPath(convertPath(path7), path7, RETURN_FALSE);
    var setupWindows = () => {
      const makePosix = (str) => /^\\\\\?\\/.test(str) || /["<>|\u0000-\u001F]+/u.test(str) ? str : str.replace(/\\/g, "/");
      checkPath.convert = makePosix;
      const REGEX_TEST_WINDOWS_PATH_ABSOLUTE = /^[a-z]:\//i;
      checkPath.isNotRelative = (path7) => REGEX_TEST_WINDOWS_PATH_ABSOLUTE.test(path7) || isNotRelative(path7);
    };
    if (
      // Detect `process` so that it can run in browsers.
      typeof process !== "undefined" && process.platform === "win32"
    ) {
      setupWindows();
    }
    module.exports = factory;
    factory.default = factory;
    module.exports.isPathValid = isPathValid;
    define(module.exports, /* @__PURE__ */ Symbol.for("setupWindows"), setupWindows);
  }
});

// src/image/assemble.ts
import { existsSync as existsSync3, readFileSync as readFileSync6, statSync as statSync3 } from "node:fs";
import path5 from "node:path";

// src/image/archive.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
var hex = (digest) => digest.replace(/^sha256:/, "");
function archiveManifest(spec) {
  return JSON.stringify([
    { Config: `${hex(spec.config.digest)}.json`, RepoTags: spec.repoTags, Layers: spec.layers.map((l) => `${hex(l.diffId)}/layer.tar`) }
  ]);
}
function archiveStream(spec) {
  const pack = import_tar_stream.default.pack();
  const fixed = { mtime: /* @__PURE__ */ new Date(0), uid: 0, gid: 0 };
  const write = async () => {
    pack.entry({ ...fixed, name: `${hex(spec.config.digest)}.json`, mode: 420 }, spec.config.json);
    for (const layer of spec.layers.filter((l) => l.file)) {
      const name = `${hex(layer.diffId)}/layer.tar`;
      let entry;
      const added = new Promise((resolve, reject) => {
        entry = pack.entry({ ...fixed, name, mode: 420, size: statSync(layer.file).size }, (err) => err ? reject(err) : resolve());
      });
      await Promise.all([pipeline(createReadStream(layer.file), entry), added]);
    }
    pack.entry({ ...fixed, name: "manifest.json", mode: 420 }, archiveManifest(spec));
    pack.finalize();
  };
  write().catch((err) => pack.destroy(err));
  return Readable.from(pack);
}
async function exportLayers(engine, ref, dir) {
  mkdirSync(dir, { recursive: true });
  const extract = import_tar_stream.default.extract();
  extract.on("entry", (header, stream, next) => {
    const target = path.join(dir, path.normalize(header.name).replace(/^(\.\.(\/|$))+/, ""));
    if (header.type !== "file") {
      stream.on("end", () => next());
      stream.resume();
      return;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    pipeline(stream, createWriteStream(target)).then(() => next(), next);
  });
  const finished = new Promise((resolve, reject) => {
    extract.on("finish", () => resolve());
    extract.on("error", reject);
  });
  await Promise.all([pipeline(await engine.save(ref), extract), finished]);
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  return (manifest[0]?.Layers ?? []).map((l) => path.join(dir, l));
}

// src/image/context.ts
var import_ignore = __toESM(require_ignore(), 1);
import { existsSync, lstatSync, readdirSync, readFileSync as readFileSync2, readlinkSync } from "node:fs";
import path2 from "node:path";
var JUNK_NAMES = [".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".DS_Store", ".idea", ".vscode"];
var TEST_NAMES = ["tests", "test", "conftest.py"];
function contextRules(root, options = {}) {
  const names = /* @__PURE__ */ new Set([...JUNK_NAMES, ...options.withTests ? [] : TEST_NAMES]);
  const file = path2.join(root, ".dockerignore");
  const dockerignore = existsSync(file) ? dockerignoreRules(readFileSync2(file, "utf8")) : void 0;
  return {
    excludes(relative) {
      const parts = relative.split("/");
      if (parts.some((p) => names.has(p))) return true;
      if (/\.py[co]$/.test(relative)) return true;
      return Boolean(dockerignore && relative && dockerignore.ignores(relative));
    }
  };
}
function dockerignoreRules(text) {
  const patterns = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith("#")).map((line) => {
    const negated = line.startsWith("!");
    const body = path2.posix.normalize(line.slice(negated ? 1 : 0).trim()).replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
    return body === "." || body === "" ? void 0 : `${negated ? "!" : ""}/${body}`;
  }).filter((p) => Boolean(p));
  return (0, import_ignore.default)().add(patterns);
}
function selectFiles(root, folder, rules) {
  const selection = { files: [], excluded: [], bytes: 0 };
  const walk = (relative) => {
    const dir = path2.join(root, folder, relative);
    for (const name of readdirSync(dir).sort()) {
      const inFolder = relative ? `${relative}/${name}` : name;
      const fromRoot = path2.posix.join(folder.split(path2.sep).join("/"), inFolder);
      const source = path2.join(dir, name);
      const stat = lstatSync(source);
      if (rules.excludes(fromRoot) || stat.isDirectory() && existsSync(path2.join(source, "pyvenv.cfg"))) {
        selection.excluded.push(fromRoot);
        continue;
      }
      if (stat.isDirectory()) {
        selection.files.push({ path: inFolder, source, type: "directory", executable: true, size: 0 });
        walk(inFolder);
      } else if (stat.isSymbolicLink()) {
        selection.files.push({ path: inFolder, source, type: "symlink", executable: false, size: 0, linkTarget: readlinkSync(source) });
      } else if (stat.isFile()) {
        selection.files.push({ path: inFolder, source, type: "file", executable: (stat.mode & 73) !== 0, size: stat.size });
        selection.bytes += stat.size;
      }
    }
  };
  walk("");
  return selection;
}
function folderPath(p) {
  return path2.posix.normalize(p.split(path2.sep).join("/")).replace(/^\.\/|\/+$/g, "");
}

// src/image/layer.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
import { createHash } from "node:crypto";
import { closeSync, createReadStream as createReadStream2, openSync, readFileSync as readFileSync3, writeSync } from "node:fs";
import path3 from "node:path";
import { Transform, Writable } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";
var AIRFLOW_UID = 5e4;
var AIRFLOW_GID = 0;
async function writeLayer(spec, dir) {
  const pack = import_tar_stream2.default.pack();
  const file = path3.join(dir, `${spec.name}.tar`);
  const sink = new LayerSink(file);
  const written = pipeline2(pack, sink);
  const fileDigests = [];
  for (const entry of layerEntries(spec)) {
    if (entry.source) fileDigests.push([`/${entry.header.name}`, await addFile(pack, entry.header, entry.source)]);
    else await addEntry(pack, entry.header);
  }
  pack.finalize();
  await written;
  return { name: spec.name, target: spec.target, file, diffId: `sha256:${sink.hash.digest("hex")}`, size: sink.size, fileDigests };
}
var LayerSink = class extends Writable {
  hash = createHash("sha256");
  size = 0;
  fd;
  pending = [];
  pendingBytes = 0;
  constructor(file) {
    super();
    this.fd = openSync(file, "w");
  }
  _write(chunk, _encoding, done) {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    done(this.pendingBytes >= 4 * 1024 * 1024 ? this.flush() : null);
  }
  _final(done) {
    done(this.flush());
  }
  _destroy(err, done) {
    closeSync(this.fd);
    done(err);
  }
  flush() {
    try {
      const batch = Buffer.concat(this.pending);
      for (let written = 0; written < batch.length; ) written += writeSync(this.fd, batch, written);
      this.pending = [];
      this.pendingBytes = 0;
      return null;
    } catch (err) {
      return err;
    }
  }
};
function layerEntries(spec) {
  const target = spec.target.replace(/^\/+|\/+$/g, "");
  const base = { mtime: spec.mtime, uname: "", gname: "" };
  const parents = target.split("/").slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join("/"));
  const entries = parents.map((p) => {
    const info = spec.parents[`/${p}`] ?? { uid: 0, gid: 0, mode: 493 };
    return { header: { ...base, name: `${p}/`, type: "directory", mode: info.mode, uid: info.uid, gid: info.gid } };
  });
  const owned = { ...base, uid: AIRFLOW_UID, gid: AIRFLOW_GID };
  entries.push({ header: { ...owned, name: `${target}/`, type: "directory", mode: 493 } });
  const content = spec.files.map((f) => {
    const name = `${target}/${f.path}`;
    if (f.type === "directory") return { header: { ...owned, name: `${name}/`, type: "directory", mode: 493 } };
    if (f.type === "symlink") return { header: { ...owned, name, type: "symlink", mode: 511, linkname: f.linkTarget } };
    return { header: { ...owned, name, type: "file", mode: f.executable ? 493 : 420, size: f.size }, source: f.source };
  });
  content.sort((a, b) => a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0);
  return [...entries, ...content];
}
function addEntry(pack, header) {
  return new Promise((resolve, reject) => pack.entry(header, (err) => err ? reject(err) : resolve()));
}
var WHOLE_FILE_LIMIT = 4 * 1024 * 1024;
async function addFile(pack, header, source) {
  try {
    if ((header.size ?? 0) <= WHOLE_FILE_LIMIT) {
      const content = readFileSync3(source);
      if (content.length !== header.size) throw new Error(`size ${content.length}, expected ${header.size}`);
      await new Promise((resolve, reject) => pack.entry(header, content, (err) => err ? reject(err) : resolve()));
      return createHash("sha256").update(content).digest("hex");
    }
    return await streamFile(pack, header, source);
  } catch (err) {
    throw new Error(`${source} changed while it was being baked (${err.message}); run the build again`, { cause: err });
  }
}
async function streamFile(pack, header, source) {
  const hash = createHash("sha256");
  const tap = new Transform({
    transform(chunk, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    }
  });
  let entry;
  const finished = new Promise((resolve, reject) => {
    entry = pack.entry(header, (err) => err ? reject(err) : resolve());
  });
  await Promise.all([pipeline2(createReadStream2(source), tap, entry), finished]);
  return hash.digest("hex");
}
function contentDigest(layers) {
  const lines = layers.flatMap((l) => l.fileDigests).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([file, digest]) => `${digest}  ${file}
`).join("");
  return `sha256:${createHash("sha256").update(lines).digest("hex")}`;
}

// src/image/path-cache.ts
import { mkdirSync as mkdirSync2, readFileSync as readFileSync4, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path4 from "node:path";
async function withPaths(engine, image, paths, env = process.env) {
  const file = cacheFile(env);
  const cache = readCache(file);
  const key = `${image.id} ${paths.join(" ")}`;
  const known = cache[key];
  if (known) return { ...image, paths: known };
  const fresh = await engine.inspect(image.id, paths);
  if (!fresh) return void 0;
  writeCache(file, { ...cache, [key]: fresh.paths });
  return fresh;
}
function cacheFile(env) {
  return path4.join(env.XDG_CACHE_HOME || path4.join(env.HOME || homedir(), ".cache"), "dagship", "image-paths.json");
}
function readCache(file) {
  try {
    return JSON.parse(readFileSync4(file, "utf8"));
  } catch {
    return {};
  }
}
function writeCache(file, cache) {
  try {
    mkdirSync2(path4.dirname(file), { recursive: true });
    const kept = Object.fromEntries(Object.entries(cache).slice(-200));
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify(kept));
    renameSync(temporary, file);
  } catch {
  }
}

// src/image/requirements.ts
var import_tar_stream3 = __toESM(require_tar_stream(), 1);
import { createHash as createHash2 } from "node:crypto";
import { existsSync as existsSync2, readFileSync as readFileSync5, statSync as statSync2 } from "node:fs";
import { Readable as Readable2 } from "node:stream";
var RECIPE = "dagship-requirements-v1";
var REQUIREMENTS_REPOSITORY = "dagship.local/requirements";
function requirementLines(file) {
  if (!existsSync2(file)) return [];
  if (!statSync2(file).isFile()) {
    throw new DagshipError(`requirements ${file} is a folder, not a file`, "set 'requirements' in dagship.yaml (or --requirements) to the requirements file, or remove the folder", "config");
  }
  return readFileSync5(file, "utf8").split(/\r?\n/).map((l) => l.replace(/(^|\s)#.*$/, "").trim()).filter(Boolean);
}
function requirementsDockerfile(baseId) {
  return [
    `FROM ${baseId}`,
    "COPY requirements.txt /tmp/dagship/requirements.txt",
    'RUN pip install --no-cache-dir ${AIRFLOW_VERSION:+"apache-airflow==${AIRFLOW_VERSION}"} -r /tmp/dagship/requirements.txt',
    ""
  ].join("\n");
}
function requirementsKey(baseId, content) {
  return createHash2("sha256").update(RECIPE).update("\0").update(baseId).update("\0").update(content).digest("hex").slice(0, 20);
}
function requirementsRef(baseId, content) {
  return `${REQUIREMENTS_REPOSITORY}:${requirementsKey(baseId, content)}`;
}
async function requirementsImage(engine, baseId, file, log) {
  const content = readFileSync5(file);
  const ref = requirementsRef(baseId, content);
  const cached = await engine.inspect(ref);
  if (cached) {
    log.info(`requirements: reused ${ref} (same base and requirements.txt)`);
    return { ref, image: cached };
  }
  log.info(`requirements: pip install of ${requirementLines(file).length} requirement(s) in a build container (--network host)`);
  const started = Date.now();
  const output = [];
  try {
    await engine.build({
      context: contextTar(requirementsDockerfile(baseId), content),
      dockerfile: "Dockerfile",
      tags: [ref],
      network: "host",
      buildArgs: proxyArgs(),
      onProgress: (e) => {
        const text = (e.stream ?? "").replace(/\u001b\[[0-9;]*m/g, "").trimEnd();
        if (!text) return;
        output.push(text);
        log.debug(text);
      }
    });
  } catch (err) {
    if (!(err instanceof EngineStreamError)) throw err;
    throw new DagshipError(
      `installing requirements.txt failed: ${err.message}
${tail(output.join("\n"), 12)}`,
      "fix requirements.txt (pin versions that exist for the base image\u2019s Python), or check that this machine reaches the package index",
      "config",
      { cause: err }
    );
  }
  log.info(`requirements: built ${ref} in ${((Date.now() - started) / 1e3).toFixed(1)}s`);
  const built = await engine.inspect(ref);
  if (!built) throw new DagshipError(`the engine built ${ref} but does not list it`, "run the build again (was an image removed meanwhile?)", "infra");
  return { ref, image: built };
}
function proxyArgs(env = process.env) {
  const names = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
  return Object.fromEntries(names.filter((n) => env[n]).map((n) => [n, env[n]]));
}
function contextTar(dockerfile, requirements) {
  const pack = import_tar_stream3.default.pack();
  const fixed = { mtime: /* @__PURE__ */ new Date(0), uid: 0, gid: 0, mode: 420 };
  pack.entry({ ...fixed, name: "Dockerfile" }, dockerfile);
  pack.entry({ ...fixed, name: "requirements.txt" }, requirements);
  pack.finalize();
  return Readable2.from(pack);
}

// src/image/assemble.ts
var PLUGINS_MTIME = /* @__PURE__ */ new Date("1980-01-01T00:00:00Z");
async function assemble(plan, deps, log) {
  const started = Date.now();
  const bakes = selectBakes(plan);
  const { base, baseName, parentRef, parent } = await prepareParent(plan, deps, log);
  log.debug(`engine: base, requirements and folder owners in ${Date.now() - started} ms`);
  const airflow = readAirflowVersion(parentRef, deps.engine, log);
  airflow.catch(() => void 0);
  const building = withTempDir("dagship-build-", async (dir) => {
    const writing = Date.now();
    const layers = await writeLayers(bakes, parent, dir, log);
    const airflowVersion = (await airflow)?.version;
    if (!airflowVersion) log.warn(`could not read the apache-airflow version installed in ${baseName}: the image gets no io.dagship.airflow.version label`);
    log.debug(`files selected and layers written in ${Date.now() - writing} ms`);
    const labels = releaseLabels({
      release: plan.release,
      dirty: plan.dirty,
      version: plan.tags[0].slice(plan.repository.length + 1),
      baseName,
      baseDigest: baseDigest(base, baseName),
      dagsDigest: contentDigest(layers),
      airflowVersion
    });
    const config = imageConfig({
      parent,
      baseLayerCount: base.layers.length,
      layers: layers.map((l) => ({ diffId: l.diffId, createdBy: `dagship: ${l.name} \u2192 ${l.target}` })),
      labels,
      created: plan.release.commitTime
    });
    const method = await tagHeld(plan, deps, config.digest, log) ?? await load(plan, deps, parent, parentRef, layers, config, dir, log);
    const id = await verifyLoaded(deps, plan.tags[0], config.digest, method.store, log);
    log.info(`built ${plan.tags[0]} in ${((Date.now() - started) / 1e3).toFixed(1)}s: image ${id}${plan.dirty ? "" : " (reproducible: same commit and base \u2192 same ID)"}`);
    return { image: plan.tags[0], tags: plan.tags, id, dirty: plan.dirty, method: method.name, reproducible: true, labels, ...summary(bakes, layers) };
  });
  return building.catch((err) => {
    throw tempError(err, "room for the image layers (about the size of the DAG and plugins folders; the base image too on containerd)") ?? err;
  });
}
async function heldParent(engine, options) {
  const base = options.base_image ? await engine.inspect(options.base_image) : void 0;
  if (!base) return {};
  const file = path5.join(options.root, options.requirements);
  const parentRef = requirementLines(file).length > 0 ? requirementsRef(base.id, readFileSync6(file)) : base.id;
  const image = parentRef === base.id ? base : await engine.inspect(parentRef);
  const parent = image && await withPaths(engine, image, ["/opt", "/opt/airflow"]);
  return parent ? { base, parent, parentRef } : { base };
}
async function prepareParent(plan, deps, log) {
  const baseName = plan.options.base_image;
  if (!baseName) throw new DagshipError("no base image configured", "set 'base_image' in dagship.yaml (e.g. apache/airflow:3.3.2) or pass --base-image", "config");
  const held = await plan.held?.catch(() => void 0) ?? {};
  const base = held.base ?? await ensureBase(deps.engine, baseName, deps.credentialsFor, log);
  log.info(`base ${baseName} (${base.id.slice(7, 19)}, ${base.layers.length} layer(s))`);
  if (held.parent && held.parentRef) {
    if (held.parentRef !== base.id) log.info(`requirements: reused ${held.parentRef} (same base and requirements.txt)`);
    return { base, baseName, parentRef: held.parentRef, parent: held.parent };
  }
  const requirements = path5.join(plan.options.root, plan.options.requirements);
  const { ref: parentRef, image } = requirementLines(requirements).length > 0 ? await requirementsImage(deps.engine, base.id, requirements, log) : { ref: base.id, image: base };
  const parent = await withPaths(deps.engine, image, ["/opt", "/opt/airflow"]);
  if (!parent) throw new DagshipError(`the engine no longer holds ${parentRef}`, "run the build again (was an image removed meanwhile?)", "infra");
  return { base, baseName, parentRef, parent };
}
async function writeLayers(bakes, parent, dir, log) {
  const layers = [];
  for (const b of bakes) {
    const layer = await writeLayer({ name: b.name, target: b.target, files: b.selection.files, mtime: b.mtime, parents: parent.paths }, dir);
    const count = b.selection.files.filter((f) => f.type === "file").length;
    log.info(`layer ${b.name}: ${count} file(s), ${formatBytes(b.selection.bytes)} \u2192 ${b.target} (tar ${formatBytes(layer.size)}, ${layer.diffId.slice(7, 19)})`);
    layers.push(layer);
  }
  const excluded = bakes.flatMap((b) => b.selection.excluded);
  if (excluded.length) log.info(`left out: ${shortList(excluded, 8)}`);
  return layers;
}
function summary(bakes, layers) {
  return {
    layers: layers.map((l, i) => ({ name: l.name, target: l.target, diffId: l.diffId, size: l.size, files: bakes[i].selection.files.length })),
    contextBytes: bakes.reduce((n, b) => n + b.selection.bytes, 0),
    excluded: bakes.flatMap((b) => b.selection.excluded)
  };
}
function selectBakes(plan) {
  const { options, rules } = plan;
  const dags = folderPath(options.dags_folder);
  const plugins = folderPath(options.plugins_folder);
  const isDir = (p) => existsSync3(path5.join(options.root, p)) && statSync3(path5.join(options.root, p)).isDirectory();
  if (!isDir(dags)) {
    throw new DagshipError(`the DAG folder ${dags}/ does not exist in ${options.root}`, "set 'dags_folder' in dagship.yaml (or --dags-folder) to the folder holding the DAG files", "config");
  }
  const bakes = [];
  if (isDir(plugins)) bakes.push({ name: "plugins", folder: plugins, target: "/opt/airflow/plugins", selection: selectFiles(options.root, plugins, rules), mtime: PLUGINS_MTIME });
  const selection = selectFiles(options.root, dags, rules);
  refuseEmptyDagFolder(options, selection.files.filter((f) => f.type === "file" && /\.(py|zip)$/.test(f.path)).length);
  bakes.push({ name: "dags", folder: dags, target: "/opt/airflow/dags", selection, mtime: new Date(plan.release.commitTime) });
  return bakes.filter((b) => b.name === "dags" || b.selection.files.length > 0);
}
async function load(plan, deps, parent, parentRef, layers, config, dir, log) {
  const info = await plan.storage;
  const store = info.imageStore;
  const where = store === "containerd" ? "containerd's image store" : `graph driver ${info.storageDriver}`;
  const withBase = plan.includeBaseLayers || store === "containerd";
  let parentFiles = parent.layers.map(() => void 0);
  if (withBase) {
    const started2 = Date.now();
    parentFiles = await exportLayers(deps.engine, parentRef, path5.join(dir, "parent"));
    if (parentFiles.length !== parent.layers.length) {
      throw new DagshipError(`exporting ${parentRef} gave ${parentFiles.length} layer(s), its config lists ${parent.layers.length}`, "check the engine (docker save of the base image)", "infra");
    }
    log.info(`exported ${parentFiles.length} parent layer(s) in ${((Date.now() - started2) / 1e3).toFixed(1)}s`);
  }
  log.info(
    withBase ? `engine keeps images in ${where}: loading a docker-archive with the base layers included` : `engine keeps images in ${where}: loading a docker-archive with only the new layers (the engine holds the base)`
  );
  const archive = archiveStream({
    config,
    repoTags: plan.tags,
    layers: [...parent.layers.map((diffId, i) => ({ diffId, file: parentFiles[i] })), ...layers.map((l) => ({ diffId: l.diffId, file: l.file }))]
  });
  const started = Date.now();
  await deps.engine.load(archive);
  log.debug(`engine loaded the archive in ${Date.now() - started} ms`);
  return { name: withBase ? "archive-with-base" : "archive", store };
}
async function tagHeld(plan, deps, configDigest, log) {
  const store = (await plan.storage).imageStore;
  if (store !== "graphdriver") return void 0;
  const held = await deps.engine.inspect(configDigest);
  if (!held) return void 0;
  const missing = plan.tags.filter((t) => !held.tags.includes(t));
  for (const tag of missing) await deps.engine.tag(held.id, tag);
  log.info(`the engine already holds image ${configDigest.slice(7, 19)}: ${missing.length ? `tagged it ${missing.map((t) => t.slice(plan.repository.length + 1)).join(", ")}` : "already tagged"}, nothing loaded`);
  return { name: "held", store };
}
async function verifyLoaded(deps, ref, configDigest, store, log) {
  const loaded = await deps.engine.inspect(ref);
  if (!loaded) throw new DagshipError(`the engine accepted the image archive but does not list ${ref}`, "run the build again; if it persists, check the engine log", "infra");
  if (store === "containerd") {
    log.debug(`containerd image store: image ID ${loaded.id} is a manifest digest; the config digest is ${configDigest}`);
    return loaded.id;
  }
  if (loaded.id !== configDigest) {
    throw new DagshipError(`the engine loaded ${ref} as ${loaded.id}, not the config digest ${configDigest}`, "the engine rewrote the image config; report this with the engine version (docker version)", "infra");
  }
  return loaded.id;
}

// src/image/dockerfile.ts
var import_tar_stream4 = __toESM(require_tar_stream(), 1);
import { createHash as createHash3 } from "node:crypto";
import { existsSync as existsSync4, readFileSync as readFileSync7 } from "node:fs";
import path6 from "node:path";
import { Readable as Readable3 } from "node:stream";
async function buildDockerfile(plan, deps, log) {
  const started = Date.now();
  const { options } = plan;
  const dockerfile = folderPath(options.build.dockerfile);
  if (!existsSync4(path6.join(options.root, dockerfile))) {
    throw new DagshipError(`the Dockerfile ${dockerfile} does not exist in ${options.root}`, "fix 'build.dockerfile' in dagship.yaml or --dockerfile", "config");
  }
  log.warn(`building ${dockerfile} with the engine's classic builder: not reproducible (each build gets a new image ID); without a Dockerfile dagship builds reproducibly`);
  const selection = selectFiles(options.root, "", plan.rules);
  if (!selection.files.some((f) => f.path === dockerfile)) selection.files.push(contextFile(options.root, dockerfile));
  log.info(`context: ${selection.files.filter((f) => f.type === "file").length} file(s), ${formatBytes(selection.bytes)}${selection.excluded.length ? `; left out ${selection.excluded.slice(0, 8).join(", ")}` : ""}`);
  const labels = await labelsFor(plan, deps, readFileSync7(path6.join(options.root, dockerfile), "utf8"), selection.files, log);
  const output = [];
  let id;
  try {
    id = await deps.engine.build({
      context: contextStream(selection.files, new Date(plan.release.commitTime)),
      dockerfile,
      tags: plan.tags,
      network: "host",
      labels,
      onProgress: (e) => {
        const text = (e.stream ?? "").replace(/\u001b\[[0-9;]*m/g, "").trimEnd();
        if (text) output.push(text), log.debug(text);
      }
    });
  } catch (err) {
    if (!(err instanceof EngineStreamError)) throw err;
    throw new DagshipError(`building ${dockerfile} failed: ${err.message}
${tail(output.join("\n"), 12)}`, `fix ${dockerfile}; run with --verbose for the full build output`, "config", { cause: err });
  }
  log.info(`built ${plan.tags[0]} from ${dockerfile} in ${((Date.now() - started) / 1e3).toFixed(1)}s: image ${id} (not reproducible)`);
  return { image: plan.tags[0], tags: plan.tags, id, dirty: plan.dirty, method: "dockerfile", reproducible: false, layers: [], contextBytes: selection.bytes, excluded: selection.excluded, labels };
}
async function labelsFor(plan, deps, dockerfile, files, log) {
  const from = lastFrom(dockerfile);
  const base = from && !from.includes("$") ? await ensureBase(deps.engine, from, deps.credentialsFor, log) : void 0;
  return releaseLabels({
    release: plan.release,
    dirty: plan.dirty,
    version: plan.tags[0].slice(plan.repository.length + 1),
    baseName: from ?? "unknown",
    baseDigest: base && from ? baseDigest(base, from) : "unknown",
    dagsDigest: dagsDigest(plan, files),
    // The final stage's base: a Dockerfile that installs another Airflow over it is not seen here.
    airflowVersion: from && base ? (await readAirflowVersion(from, deps.engine, log))?.version : void 0
  });
}
function lastFrom(dockerfile) {
  const froms = [...dockerfile.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1]);
  return froms.at(-1);
}
function contextFile(root, relative) {
  return { path: relative, source: path6.join(root, relative), type: "file", executable: false, size: readFileSync7(path6.join(root, relative)).length };
}
function dagsDigest(plan, files) {
  const targets = [
    [folderPath(plan.options.dags_folder), "/opt/airflow/dags"],
    [folderPath(plan.options.plugins_folder), "/opt/airflow/plugins"]
  ];
  const fileDigests = [];
  for (const f of files.filter((x) => x.type === "file")) {
    const match = targets.find(([folder]) => f.path.startsWith(`${folder}/`));
    if (match) fileDigests.push([`${match[1]}/${f.path.slice(match[0].length + 1)}`, createHash3("sha256").update(readFileSync7(f.source)).digest("hex")]);
  }
  return contentDigest([{ fileDigests }]);
}
function contextStream(files, mtime) {
  const pack = import_tar_stream4.default.pack();
  const write = async () => {
    for (const f of [...files].sort((a, b) => a.path < b.path ? -1 : 1)) {
      const header = { name: f.path, mtime, uid: 0, gid: 0, uname: "", gname: "" };
      if (f.type === "directory") await addEntry(pack, { ...header, name: `${f.path}/`, type: "directory", mode: 493 });
      else if (f.type === "symlink") await addEntry(pack, { ...header, type: "symlink", mode: 511, linkname: f.linkTarget });
      else await addFile(pack, { ...header, type: "file", mode: f.executable ? 493 : 420, size: f.size }, f.source);
    }
    pack.finalize();
  };
  write().catch((err) => pack.destroy(err));
  return Readable3.from(pack);
}

// src/image/build.ts
async function buildImage(request, deps, log) {
  const { options } = request;
  const repository = targetRepository(options);
  const dockerfile = Boolean(options.build.dockerfile);
  const rules = contextRules(options.root, { withTests: dockerfile });
  const storage = deps.engine.storage();
  storage.catch(() => void 0);
  const held = dockerfile ? void 0 : heldParent(deps.engine, options);
  held?.catch(() => void 0);
  const asked = Date.now();
  const release = await readRelease(options.root, deps.git, bakedBy(options, rules, dockerfile));
  log.debug(`git: commit, status and remotes in ${Date.now() - asked} ms`);
  if (release.dirtyPaths.length > 0 && !request.allowDirty) throw dirtyError(release);
  const dirty = release.dirtyPaths.length > 0;
  if (release.ignoredPaths.length > 0) {
    log.warn(`baking file(s) that git ignores, so no commit holds them: ${shortList(release.ignoredPaths)}; the same commit elsewhere may build a different image (list them in .dockerignore to leave them out)`);
  }
  if (dirty) log.warn(`building ${release.dirtyPaths.length} uncommitted change(s): the image is tagged -dirty and push refuses it as a release`);
  const tag = commitTag(release.revision, { short: options.build.short_sha, dirty });
  const tags = [tag, ...dirty ? [] : options.build.extra_tags].map((t) => `${repository}:${t}`);
  const plan = { options, repository, release, dirty, tags, rules, includeBaseLayers: Boolean(request.includeBaseLayers), storage, held };
  log.info(`building ${tags[0]} (commit ${release.revision.slice(0, 12)}${dirty ? ", uncommitted changes" : ""})`);
  return dockerfile ? buildDockerfile(plan, deps, log) : assemble(plan, deps, log);
}
function bakedBy(options, rules, dockerfile) {
  const under = (p, folder) => p === folder || p.startsWith(`${folder}/`);
  const [dags, plugins, requirements] = [options.dags_folder, options.plugins_folder, options.requirements].map(folderPath);
  return (p) => {
    if (rules.excludes(p)) return false;
    if (dockerfile || p === ".dockerignore" || p === requirements) return true;
    return under(p, dags) || under(p, plugins);
  };
}

export {
  buildImage
};
