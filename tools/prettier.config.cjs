// Prettier settings for XML, JS, CSS... of the addons, as in OCA's 18.0 template
// (prettier.config.cjs + the indentation of its .editorconfig: 4 spaces, 2 for
// JSON/YAML/Markdown). .pre-commit-config.yaml passes this file with --config.
/** @type {import('prettier').Config} */

const config = {
    // https://github.com/prettier/prettier/issues/15388#issuecomment-1717746872
    plugins: [require.resolve("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    trailingComma: "es5",
    tabWidth: 4,
    xmlWhitespaceSensitivity: "preserve",
    overrides: [{files: ["*.json", "*.yml", "*.yaml", "*.md"], options: {tabWidth: 2}}],
};

module.exports = config;
