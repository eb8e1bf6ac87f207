import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Model, surveyLocalization } from 'survey-core';
import { describe, expect, it } from 'vitest';
import {
  campaignConfigSchema,
  EXAMPLE_CONFIG_PATH,
  loadConfigFile,
  SURVEYS_DIR,
} from '../../surveys/campaign-config.js';
import {
  lintQuestionnaire,
  loadQuestionnaire,
  QUESTIONNAIRE_LIMITS,
  QuestionnaireError,
  questionnaireSize,
  serveDefinition,
  toCanonicalInput,
  type QuestionnaireDefinition,
} from '../../surveys/questionnaire.js';
import { compileRecordValidator } from '../../surveys/record.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { sqliteDb } from '../helpers/db.js';

const path = resolve(SURVEYS_DIR, 'questionnaire.default.json');
const definition = loadQuestionnaire(path);
const config = campaignConfigSchema.parse(loadConfigFile(EXAMPLE_CONFIG_PATH).raw);
const departments = [
  { code: 'D001', name: '市发展和改革委员会' },
  { code: 'D002', name: '市市场监督管理局' },
  { code: 'D003', name: '市住房和城乡建设局' },
];
const campaign = { name: '2026年度民主评议机关', config };
const validate = compileRecordValidator({ config, departmentCodes: departments.map((d) => d.code) });

type Element = Record<string, any>;
function find(def: unknown, name: string): Element | undefined {
  let found: Element | undefined;
  const walk = (node: unknown) => {
    if (found || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(walk);
    const e = node as Element;
    if (e.name === name && e.type) {
      found = e;
      return;
    }
    for (const v of Object.values(e)) walk(v);
  };
  walk(def);
  return found;
}

describe('questionnaire definition', () => {
  it('says beside the contact checkbox what ticking it means, and the text ticks it', () => {
    const model = new Model({ elements: [find(definition, 'contactAllowed')] });
    model.locale = 'zh-cn';
    const question = model.getQuestionByName('contactAllowed') as unknown as {
      renderAs: string;
      locLabel: { renderedHtml: string };
    };
    expect(question.renderAs).toBe('checkbox');
    expect(question.locLabel.renderedHtml).toBe('可以联系我核实');
  });

  it('the shipped default passes the lint', () => {
    expect(lintQuestionnaire(JSON.parse(readFileSync(path, 'utf8')))).toEqual([]);
  });

  it('the shipped default is within every size cap, with room for the office’s own questions', () => {
    const size = questionnaireSize(definition);
    expect(size).toEqual({ kilobytes: expect.any(Number), pages: 4, elements: 18, choices: 0 });
    expect(size.kilobytes).toBeLessThan(QUESTIONNAIRE_LIMITS.kilobytes / 10);
    expect(size.pages * 5).toBeLessThan(QUESTIONNAIRE_LIMITS.pages);
    expect(size.elements * 5).toBeLessThan(QUESTIONNAIRE_LIMITS.elements);
  });

  it('the lint names missing required questions and answers the server could not check', () => {
    const broken = structuredClone(definition) as Element;
    // an office's own text question is fine; a choice without choices, or with "other", is not
    broken.pages[3].elements = [{ type: 'text', name: 'favouriteColour' }];
    broken.pages[0].elements.push({ type: 'radiogroup', name: 'gender', showOtherItem: true });
    const issues = lintQuestionnaire(broken)
      .map((i) => i.message)
      .join('\n');
    expect(issues).toContain('缺少问题 overall');
    expect(issues).not.toContain('favouriteColour');
    expect(issues).toContain('选择题需要列出选项');
    expect(issues).toContain('showOtherItem');
    expect(() => serveDefinition(broken as QuestionnaireDefinition, campaign, departments)).toThrow(QuestionnaireError);
  });

  it('a campaign cannot be created with a questionnaire that fails the lint', async () => {
    const db = await sqliteDb();
    try {
      const services = createServices({ db, config: defaultConfig(), clock: fixedClock('2026-10-01T00:00:00Z') });
      const { raw, dir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
      const broken = structuredClone(definition) as Element;
      broken.pages.pop();
      await expect(
        services.campaigns.create({ raw, configDir: dir, questionnaire: broken }, 'test'),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'questionnaire.pages', field: '问卷', message: '缺少问题 overall' }],
      });
      expect(await services.campaigns.list()).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('serves the campaign choices, limits and the invitation category without changing the stored definition', () => {
    const before = JSON.stringify(definition);
    const served = serveDefinition(definition, campaign, departments, { category: 'deputies' });
    expect(JSON.stringify(definition)).toBe(before);
    expect(served.title).toEqual({ default: campaign.name, en: 'Democratic appraisal of government departments' });
    expect(find(served, 'category')).toMatchObject({ defaultValue: 'deputies', readOnly: true });
    expect(find(served, 'category')!.choices).toHaveLength(5);
    expect(find(served, 'departments')!.choices).toEqual(departments.map((d) => ({ value: d.code, text: d.name })));
    expect(find(served, 'dept')!.choices).toHaveLength(3);
    for (const name of ['efficiency', 'quality', 'overall']) {
      expect(find(served, name)!.choices.map((c: Element) => c.value)).toEqual([
        'satisfied',
        'fairly_satisfied',
        'basically_satisfied',
        'dissatisfied',
        'unknown',
      ]);
    }
    expect(find(served, 'overall')!.choices[4].text).toEqual({ default: '不了解', en: "Don't know" });
    expect(find(served, 'problems')).toMatchObject({ maxSelectedChoices: 3 });
    expect(find(served, 'problems')!.choices).toHaveLength(10);
    expect(find(served, 'negatives')).toMatchObject({ maxPanelCount: 8 });
    expect(find(served, 'kind')!.choices).toHaveLength(8);
    expect(find(served, 'description')).toMatchObject({ maxLength: 1000 });
  });

  it('names the button that removes a negative-situation entry 删除这一条 when the office’s definition gives it no text, and keeps a text it gives', () => {
    const bare = structuredClone(definition);
    const negatives = find(bare, 'negatives')!;
    delete negatives.panelRemoveText;
    delete negatives.panelAddText;
    const served = find(serveDefinition(bare, campaign, departments), 'negatives')!;
    expect(served.panelRemoveText).toEqual({ default: '删除这一条', en: 'Remove this one' });
    expect(served.panelAddText).toEqual({ default: '添加一条负面情形', en: 'Add a negative situation' });
    // SurveyJS renders it so (its own zh-cn text would be a bare 删除)
    const model = new Model({ elements: [served] });
    model.locale = 'zh-cn';
    expect((model.getQuestionByName('negatives') as unknown as { panelRemoveText: string }).panelRemoveText).toBe(
      '删除这一条',
    );

    negatives.panelRemoveText = '删掉';
    expect(find(serveDefinition(bare, campaign, departments), 'negatives')!.panelRemoveText).toBe('删掉');
  });

  it('follows the campaign: three-level scale, a third rated item, a different problem limit', () => {
    const custom = campaignConfigSchema.parse({
      ...(loadConfigFile(EXAMPLE_CONFIG_PATH).raw as object),
      scale: 'three-level',
      maxProblemsPerDepartment: 2,
      items: [
        { code: 'efficiency', label: '工作效率', weight: 1 },
        { code: 'integrity', label: '廉洁自律', english: 'Integrity', weight: 1 },
      ],
    });
    const served = serveDefinition(definition, { name: 'x', config: custom }, departments);
    expect(find(served, 'quality')).toBeUndefined();
    expect(find(served, 'integrity')).toMatchObject({
      type: 'radiogroup',
      isRequired: true,
      title: { default: '廉洁自律', en: 'Integrity' },
    });
    expect(find(served, 'integrity')!.choices).toHaveLength(4);
    expect(find(served, 'problems')).toMatchObject({ maxSelectedChoices: 2 });
  });
});

describe('SurveyJS answers to the canonical record', () => {
  it('renames dept to code, adds the duration and drops a contact given without consent', () => {
    const result = toCanonicalInput(
      {
        category: 'project',
        departments: [
          { dept: 'D001', efficiency: 'satisfied', negatives: [{ kind: 1, contactAllowed: false, contact: '138' }] },
        ],
      },
      77,
    );
    expect(result).toEqual({
      ok: true,
      input: {
        category: 'project',
        durationSeconds: 77,
        departments: [{ code: 'D001', efficiency: 'satisfied', negatives: [{ kind: 1, contactAllowed: false }] }],
      },
    });
  });

  it('refuses answers that are not an object and keys that would shadow canonical fields', () => {
    expect(toCanonicalInput([], 1).ok).toBe(false);
    expect(toCanonicalInput({ durationSeconds: 1 }, 1)).toMatchObject({
      ok: false,
      issues: [{ path: 'durationSeconds' }],
    });
    expect(toCanonicalInput({ departments: [{ dept: 'D001', code: 'D002' }] }, 1)).toMatchObject({
      ok: false,
      issues: [{ path: 'departments.0.code' }],
    });
  });

  it('answers produced by survey-core on the served questionnaire pass the compiled validator', () => {
    surveyLocalization.defaultLocale = 'zh-cn';
    const survey = new Model(serveDefinition(definition, campaign, departments, { category: 'project' }));
    expect(survey.getValue('category')).toBe('project');
    survey.setValue('organisation', '某建设集团');
    survey.setValue('departments', [{ dept: 'D001' }, { dept: 'D003' }]);
    const panel = survey.getQuestionByName('departmentPanels') as any;
    expect(panel.panels.map((p: any) => p.processedTitle)).toEqual(['市发展和改革委员会', '市住房和城乡建设局']);
    for (const p of panel.panels) {
      p.getQuestionByName('efficiency').value = 'satisfied';
      p.getQuestionByName('quality').value = 'unknown';
    }
    panel.panels[0].getQuestionByName('problems').value = [1, 7];
    const negatives = panel.panels[0].getQuestionByName('negatives');
    negatives.addPanel();
    const n = negatives.panels[0];
    n.getQuestionByName('kind').value = 4;
    n.getQuestionByName('matter').value = '环评审批';
    n.getQuestionByName('date').value = '2026-03';
    n.getQuestionByName('description').value = '要求补交清单以外的材料';
    n.getQuestionByName('contactAllowed').value = true;
    n.getQuestionByName('contact').value = '13900000000';
    survey.setValue('overall', 'fairly_satisfied');
    expect(survey.hasErrors(false)).toBe(false);

    const converted = toCanonicalInput(survey.data, 321);
    expect(converted.ok).toBe(true);
    const result = validate((converted as { input: unknown }).input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record).toMatchObject({
      category: 'project',
      organisation: '某建设集团',
      durationSeconds: 321,
      overall: 'fairly_satisfied',
      departments: [
        {
          code: 'D001',
          ratings: { efficiency: 'satisfied', quality: 'unknown' },
          problems: [1, 7],
          negatives: [{ kind: 4, date: '2026-03', contactAllowed: true, contact: '13900000000' }],
        },
        { code: 'D003', ratings: { efficiency: 'satisfied', quality: 'unknown' }, problems: [], negatives: [] },
      ],
    });
    survey.dispose();
  });
});
