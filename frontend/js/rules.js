// The account rules the server applies, checked in the browser as a person
// types so that they learn of a mistake before sending the form. The server
// stays the judge: it alone knows the list of top-level domains, and where
// Unicode tables differ between Python and the browser it may still refuse
// what passed here; its field errors are then shown in the same places.

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

const LOCAL_CHARACTER = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]*$/;
const QUOTED_PREFIX = /^"(?:[^"\\]|\\.)*"/;
const QUOTED_TEXT = /^(?:[\x21\x23-\x5b\x5d-\x7e]|\\["\\])+$/;
const DOMAIN_CHARACTER = /^[A-Za-z0-9.-]*$/;
const DIGITS = /^[0-9]+$/;
const NOT_VISIBLE_ASCII = /[^\x21-\x7e]/;
const NEEDS_ONE_AT = "The address needs exactly one @ outside quotes.";
const IPV4_SHAPE =
  "An IP address as the domain must be IPv4: four numbers joined by dots, " +
  "as in 192.0.2.1 or [192.0.2.1].";

class Invalid extends Error {}

/**
 * Lists what is wrong with the shape of an email address as {code, message},
 * in the server's codes; an empty list when the shape is right.
 */
export function emailProblems(value) {
  const problems = [];
  if ([...value].length > MAX_EMAIL_LENGTH) {
    problems.push({
      code: "email_too_long",
      message: "The address may be at most 254 characters long.",
    });
  }

  let localPart;
  let domain;
  try {
    checkCharacters(value);
    [localPart, domain] = splitAtTheAtSign(value);
  } catch (error) {
    problems.push(invalidEmail(error));
    return problems;
  }

  if (localPart.length > MAX_LOCAL_PART_LENGTH) {
    problems.push({
      code: "email_local_part_too_long",
      message: "The part before the @ may be at most 64 characters long.",
    });
  }

  let invalid = null;
  for (const check of [() => checkLocalPart(localPart), () => checkDomain(domain)]) {
    try {
      check();
    } catch (error) {
      invalid = invalid || invalidEmail(error);
    }
  }
  if (invalid) {
    problems.push(invalid);
  }
  return problems;
}

function invalidEmail(error) {
  if (!(error instanceof Invalid)) {
    throw error;
  }
  return { code: "email_invalid", message: error.message };
}

function checkCharacters(value) {
  if (!value) {
    throw new Invalid("The address is empty.");
  }
  if (!/^[\x00-\x7f]*$/.test(value)) {
    throw new Invalid("The address may contain only ASCII characters.");
  }

  const hidden = value.match(NOT_VISIBLE_ASCII);
  if (!hidden) {
    return;
  }
  if (/\s/.test(hidden[0]) || /[\x1c-\x1f]/.test(hidden[0])) {
    throw new Invalid("The address may not contain spaces or other whitespace.");
  }
  throw new Invalid("The address may not contain control characters.");
}

function splitAtTheAtSign(value) {
  let localPart;
  let domain;
  if (value.startsWith('"')) {
    const quoted = value.match(QUOTED_PREFIX);
    if (!quoted) {
      throw new Invalid("The quotes before the @ are not closed.");
    }
    localPart = quoted[0];
    const rest = value.slice(localPart.length);
    if (!rest.startsWith("@")) {
      if (rest.includes("@")) {
        throw new Invalid(
          "Quotes must hold the whole part before the @, " +
            'as in "john..doe"@example.com.',
        );
      }
      throw new Invalid(NEEDS_ONE_AT);
    }
    domain = rest.slice(1);
  } else {
    const at = value.indexOf("@");
    if (at < 0) {
      throw new Invalid(NEEDS_ONE_AT);
    }
    localPart = value.slice(0, at);
    domain = value.slice(at + 1);
  }

  if (domain.includes("@")) {
    throw new Invalid(NEEDS_ONE_AT);
  }
  return [localPart, domain];
}

function checkLocalPart(localPart) {
  if (localPart.startsWith('"')) {
    if (localPart === '""') {
      throw new Invalid("The quotes before the @ are empty.");
    }
    if (!QUOTED_TEXT.test(localPart.slice(1, -1))) {
      throw new Invalid('Inside quotes, a backslash may only come before " or \\.');
    }
    return;
  }

  if (!localPart) {
    throw new Invalid("The part before the @ is missing.");
  }
  if (localPart.startsWith(".") || localPart.endsWith(".")) {
    throw new Invalid("The part before the @ may not start or end with a dot.");
  }
  if (localPart.includes("..")) {
    throw new Invalid("The part before the @ may not contain two dots in a row.");
  }
  if (!LOCAL_CHARACTER.test(localPart)) {
    const stray = [...localPart].find((char) => !LOCAL_CHARACTER.test(char));
    throw new Invalid(
      `The character ${stray} is not allowed before the @ ` +
        "unless that part is in quotes.",
    );
  }
}

function checkDomain(domain) {
  if (!domain) {
    throw new Invalid("The domain after the @ is missing.");
  }
  if (domain.startsWith("[")) {
    if (!domain.endsWith("]")) {
      throw new Invalid(IPV4_SHAPE);
    }
    checkIpv4(domain.slice(1, -1));
    return;
  }

  if (domain.startsWith(".") || domain.endsWith(".")) {
    throw new Invalid("The domain may not start or end with a dot.");
  }
  if (domain.includes("..")) {
    throw new Invalid("The domain may not contain two dots in a row.");
  }
  if (!DOMAIN_CHARACTER.test(domain)) {
    const stray = [...domain].find((char) => !DOMAIN_CHARACTER.test(char));
    throw new Invalid(`The character ${stray} is not allowed in the domain.`);
  }

  const labels = domain.split(".");
  if (DIGITS.test(labels[labels.length - 1])) {
    checkIpv4(domain);
    return;
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH) {
      throw new Invalid(
        "Each part of the domain between dots may be at most 63 characters long.",
      );
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      throw new Invalid("A part of the domain may not start or end with a hyphen.");
    }
  }
  if (labels.length < 2) {
    throw new Invalid(
      "The domain needs a top-level domain after a dot, as in example.com.",
    );
  }
}

function checkIpv4(text) {
  const numbers = text.split(".");
  if (numbers.length !== 4 || !numbers.every((number) => DIGITS.test(number))) {
    throw new Invalid(IPV4_SHAPE);
  }

  for (const number of numbers) {
    if (number.length > 3) {
      throw new Invalid("Each number in an IP address has at most three digits.");
    }
    if (number.length > 1 && number.startsWith("0")) {
      throw new Invalid("A number in an IP address may not start with 0.");
    }
    if (Number(number) > 255) {
      throw new Invalid("Each number in an IP address must be from 0 to 255.");
    }
  }
}

// Python's str methods, which the server uses, as Unicode properties. Digits
// differ slightly: Python also counts superscripts such as ² as digits.
const LETTER = /\p{L}/u;
const LOWERCASE = /\p{Lowercase}/u;
const UPPERCASE = /\p{Uppercase}/u;
const DIGIT = /\p{Nd}/u;
const SPACE = /[\s\x1c-\x1f\x85]/u;
const REFUSED = /[\p{Cc}\p{Cf}\p{Cs}]/u;

function isSpecial(char) {
  return !(
    LETTER.test(char) || DIGIT.test(char) || SPACE.test(char) || REFUSED.test(char)
  );
}

/** The password rules, in the order of the checklist, each with its label. */
export const PASSWORD_RULES = [
  {
    code: "password_too_short",
    label: `At least ${MIN_PASSWORD_LENGTH} characters`,
    message: "The password needs at least 8 characters.",
    met: (chars) => chars.length >= MIN_PASSWORD_LENGTH,
  },
  {
    code: "password_missing_lowercase",
    label: "A lowercase letter",
    message: "The password needs a lowercase letter.",
    met: (chars) => chars.some((char) => LOWERCASE.test(char)),
  },
  {
    code: "password_missing_uppercase",
    label: "An uppercase letter",
    message: "The password needs an uppercase letter.",
    met: (chars) => chars.some((char) => UPPERCASE.test(char)),
  },
  {
    code: "password_missing_digit",
    label: "A digit",
    message: "The password needs a digit.",
    met: (chars) => chars.some((char) => DIGIT.test(char)),
  },
  {
    code: "password_missing_special",
    label: "A special character, such as ! # or €",
    message:
      "The password needs a special character, one that is neither a " +
      "letter, a digit nor white space.",
    met: (chars) => chars.some(isSpecial),
  },
  {
    code: "password_too_long",
    label: `At most ${MAX_PASSWORD_LENGTH} characters`,
    message: "The password may have at most 128 characters.",
    met: (chars) => chars.length <= MAX_PASSWORD_LENGTH,
  },
];

const CONTROL_CHARACTER = {
  code: "password_has_control_character",
  message:
    "The password may not contain control or invisible formatting characters.",
};

/**
 * Checks a password against every rule: `checklist` has one entry per rule
 * for the ticks, `problems` the broken rules as {code, message}.
 */
export function passwordReport(value) {
  // Length counts code points, as Python does, not UTF-16 units.
  const chars = [...value];
  const checklist = PASSWORD_RULES.map((rule) => ({
    code: rule.code,
    label: rule.label,
    met: rule.met(chars),
  }));

  const problems = PASSWORD_RULES.filter((rule, index) => !checklist[index].met).map(
    ({ code, message }) => ({ code, message }),
  );
  if (chars.some((char) => REFUSED.test(char))) {
    problems.push({ ...CONTROL_CHARACTER });
  }
  return { checklist, problems };
}
