import { describe, expect, it } from 'vitest';
import { questionnairePlace } from '../../surveys/places.js';

const definition = {
  pages: [
    {
      name: 'who',
      elements: [
        { type: 'html', name: 'intro' },
        { type: 'radiogroup', name: 'category', title: '您属于哪一类评议代表？' },
      ],
    },
    {
      name: 'rate',
      title: '逐个评价部门',
      elements: [
        {
          type: 'paneldynamic',
          name: 'departmentPanels',
          templateElements: [
            { type: 'dropdown', name: 'dept' },
            {
              type: 'checkbox',
              name: 'problems',
              title: { default: '该部门最突出的作风问题', en: 'Problems' },
              choices: [{ value: 1, text: { default: '推诿扯皮、踢皮球' } }, 2],
            },
          ],
        },
      ],
    },
  ],
};

describe('a place in a questionnaire, in the office’s words', () => {
  it.each([
    ['', ''],
    ['pages', '问卷'],
    ['pages.1', '第2页'],
    ['pages.1.title', '第2页的标题'],
    ['pages.0.elements.1', '第1页第2题「您属于哪一类评议代表？」'],
    ['pages.0.elements.0', '第1页第1题「intro」'],
    ['pages.1.elements.0.templateElements.1', '第2页第1题「departmentPanels」中的第2题「该部门最突出的作风问题」'],
    [
      'pages.1.elements.0.templateElements.1.choices.0',
      '第2页第1题「departmentPanels」中的第2题「该部门最突出的作风问题」的第1个选项「推诿扯皮、踢皮球」',
    ],
    [
      'pages.1.elements.0.templateElements.1.choices.1',
      '第2页第1题「departmentPanels」中的第2题「该部门最突出的作风问题」的第2个选项「2」',
    ],
    ['pages.0.elements.1.isRequred', '第1页第2题「您属于哪一类评议代表？」的属性 isRequred'],
    ['pages.0.elements.7', '第1页第8题'],
  ])('%s reads %s', (path, place) => {
    expect(questionnairePlace(definition, path)).toBe(place);
  });

  it('shortens a long title and shows a NUL as the replacement character', () => {
    const long = { pages: [{ elements: [{ type: 'text', name: 'x', title: `${'很长的题目'.repeat(10)}\u0000` }] }] };
    expect(questionnairePlace(long, 'pages.0.elements.0')).toBe(
      `第1页第1题「${'很长的题目'.repeat(5).slice(0, 24)}…」`,
    );
  });
});
