"""Grammatical gender evidence shared by entity resolution and speaker resolution: honorific
and role words, common first names, and the gendered pronouns."""

from __future__ import annotations

MALE, FEMALE = "m", "f"

MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})


MALE_WORDS = frozenset(
    "mr mr. sir lord king prince father brother son husband spokesman congressman chairman businessman "
    "councilman anchorman boyfriend uncle nephew grandfather".split()
)
FEMALE_WORDS = frozenset(
    "mrs mrs. ms ms. miss madam dame lady queen princess mother sister daughter wife spokeswoman "
    "congresswoman chairwoman businesswoman councilwoman anchorwoman girlfriend aunt niece grandmother".split()
)
MALE_NAMES = frozenset(
    """aaron adam alan albert alex alexander andrew anthony antonio barack ben benjamin bernie bill bob bobby
    boris brad brian bruce carl carlos charles charlie chris christopher chuck dan daniel david dennis dick
    donald doug douglas ed edward eric francis frank fred gary george gerald greg gregory harry henry ian jack
    jacob james jared jason jeb jeff jeffrey jerry jim jimmy joe john johnny jon jonathan jose joseph josh juan
    keith ken kenneth kevin larry lawrence lee leon louis luis marco mark martin matt matthew michael mike
    mitch mitt nathan newt nicholas nick patrick paul peter phil philip ralph rand randy reince richard rick
    robert roger ron ronald roy rudy russell ryan sam samuel scott sean sergei sergey seth stephen steve steven
    ted terry thomas tim timothy todd tom tony vladimir walter wayne william willie xi ahmed mohammed muhammad
    hassan ali vince rex rodrigo recep benjamin bashar emmanuel francois pierre
    giuseppe hans wolfgang dmitry igor viktor ivan yuri nikolai omar tayyip""".split()
)
FEMALE_NAMES = frozenset(
    """abigail alice alicia amanda amy andrea angela ann anna anne barbara betsy betty beverly brenda carly
    carol caroline carolyn catherine cathy charlotte cheryl christina christine claire cynthia dana debbie
    deborah debra diana diane donna dorothy elizabeth ellen emily emma evelyn frances gabrielle gloria grace
    hannah heather helen hillary hope huma ivanka jane janet janice jean jennifer jessica jill joan joanne judy
    julia julie karen kate katherine kathleen kathy katie kelly kellyanne kim kimberly kirsten laura lauren
    linda lisa lois loretta lori louise lynn madeleine margaret maria marie marilyn martha mary megan melania
    melissa michelle monica nancy natalie nicole nikki olivia pam pamela patricia paula rachel rebecca rose
    ruth samantha sandra sarah sharon shirley stephanie susan suzanne tammy teresa theresa tiffany tulsi
    valerie victoria virginia wendy angela theresa marine christiane ursula federica yulia irina natalia
    olga svetlana tatiana condoleezza""".split()
)


def name_gender(name: str) -> str | None:
    first = name.split()[0].lower().strip(".") if name.split() else ""
    if first in MALE_NAMES:
        return MALE
    if first in FEMALE_NAMES:
        return FEMALE
    return None


def pronoun_gender(word: str) -> str | None:
    w = word.lower()
    if w in MALE_PRONOUNS:
        return MALE
    if w in FEMALE_PRONOUNS:
        return FEMALE
    return None
